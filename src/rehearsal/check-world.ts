import { Duration, type DateTime } from 'luxon';
import minVersion from 'semver/ranges/min-version.js';
import type { CheckRoute } from '../checks/check-route.ts';
import type { CheckSpec, DnsType } from '../schedule/check-spec.ts';
import { LocalDnsServer } from '../checks/local/local-dns-server.ts';
import { LocalHttpServer } from '../checks/local/local-http-server.ts';
import { LocalTlsServer, makeCertificate } from '../checks/local/local-tls-server.ts';
import type { Sandbox } from '../sandbox/index.ts';
import type { Schedule } from '../schedule/schedule.ts';

/** Something in the rehearsal's world changes, as it would on the day (a version, a DNS answer, a certificate). */
export interface WorldChange {
  readonly at: DateTime;
  readonly taskId: string;
  /** German, for the transcript. */
  readonly text: string;
  apply(): void;
}

/** What the local stand-ins answer before the change: documentation addresses (RFC 5737, RFC 3849). */
const OLD_ANSWER: Record<DnsType, string> = { A: '198.51.100.7', AAAA: '2001:db8::7', CNAME: 'alt.example.net' };
/** The version the sandbox reports before an upgrade check passes. */
export const VERSION_BEFORE = '3.5.0';
/** Resolvers see a DNS change one after another, spread over the TTL (or this, without one). */
const DEFAULT_SPREAD = Duration.fromObject({ minutes: 4 });

/**
 * The rehearsal's stand-in for the world that task checks look at: the
 * sandbox for the instance's version, and local DNS, TLS and HTTP servers on
 * 127.0.0.1 for the rest. Each check is routed there, never to the real host;
 * each changes at the time the plan says the task gets done. A check the
 * world cannot stand in for (a TLS fingerprint nobody can forge) is not run.
 */
export class CheckWorld {
  private readonly routes = new Map<string, CheckSpec>();
  private readonly servers: { close(): Promise<void> }[] = [];
  readonly changes: WorldChange[] = [];

  private constructor(private readonly sandbox: Sandbox) {}

  /** `doneAt`: when the plan has each task done (task id → time); the world changes then. */
  static async build(schedule: Schedule, sandbox: Sandbox, doneAt: ReadonlyMap<string, DateTime>): Promise<CheckWorld> {
    const world = new CheckWorld(sandbox);
    try {
      for (const task of schedule.tasks) if (task.check) await world.add(task.id, task.check, doneAt.get(task.id) ?? null, schedule);
    } catch (error) {
      await world.close();
      throw error;
    }
    world.changes.sort((a, b) => a.at.toMillis() - b.at.toMillis());
    return world;
  }

  /** Tasks whose check the world stands in for: the rehearsal lets their checks confirm them. */
  get checkedTasks(): string[] {
    return [...this.routes.keys()];
  }

  readonly route: CheckRoute = (_schedule, task) => this.routes.get(task.id) ?? null;

  private async add(taskId: string, spec: CheckSpec, at: DateTime | null, schedule: Schedule): Promise<void> {
    const change = (when: DateTime, text: string, apply: () => void) => this.changes.push({ at: when, taskId, text, apply });
    switch (spec.kind) {
      case 'mastodonVersion': {
        const after = minVersion(spec.range)?.version ?? '4.0.0';
        this.sandbox.setVersion(VERSION_BEFORE);
        this.routes.set(taskId, { ...spec, url: this.sandbox.url });
        if (at) change(at, `Die Instanz meldet jetzt Mastodon ${after}`, () => this.sandbox.setVersion(after));
        return;
      }
      case 'http': {
        const server = await this.keep(new LocalHttpServer({ status: 503, body: 'Wartung' }).start());
        const original = new URL(spec.url);
        this.routes.set(taskId, { ...spec, url: `${server.url}${original.pathname}${original.search}` });
        if (at) change(at, `${spec.url} antwortet jetzt mit HTTP ${spec.status}`, () => (server.answer = { status: spec.status, body: spec.contains ?? 'OK' }));
        return;
      }
      case 'tls': {
        if (spec.fingerprint !== null) return;
        const issuedAfter = spec.issuedAfter ?? schedule.window.start;
        const old = await makeCertificate(spec.servername || 'localhost', issuedAfter.minus({ days: 60 }).toJSDate());
        const server = await this.keep(new LocalTlsServer(old).start());
        this.routes.set(taskId, { ...spec, endpoint: { host: '127.0.0.1', port: server.port } });
        if (at) {
          const fresh = await makeCertificate(spec.servername || 'localhost', (at > issuedAfter ? at : issuedAfter).toJSDate());
          change(at, `${spec.endpoint.host}:${spec.endpoint.port} zeigt jetzt das neue Zertifikat`, () => server.serve(fresh));
        }
        return;
      }
      case 'dns': {
        const count = Math.max(1, spec.resolvers.length);
        const servers: LocalDnsServer[] = [];
        for (let i = 0; i < count; i++) {
          const server = await this.keep(new LocalDnsServer().start());
          server.set(spec.name, spec.type, [OLD_ANSWER[spec.type]]);
          servers.push(server);
        }
        this.routes.set(taskId, { ...spec, resolvers: servers.map((s) => ({ host: '127.0.0.1', port: s.port })) });
        if (!at) return;
        const step = (spec.ttl ?? DEFAULT_SPREAD).toMillis() / count;
        servers.forEach((server, i) => {
          const label = spec.resolvers[i] ? `Resolver ${spec.resolvers[i]!.host}` : 'Der Resolver';
          change(at.plus({ milliseconds: i * step }), `${label} sieht jetzt ${spec.expect.join(', ')} für ${spec.name}`, () => server.set(spec.name, spec.type, spec.expect));
        });
        return;
      }
    }
  }

  private async keep<T extends { close(): Promise<void> }>(server: Promise<T>): Promise<T> {
    const started = await server;
    this.servers.push(started);
    return started;
  }

  async close(): Promise<void> {
    await Promise.all(this.servers.splice(0).map((s) => s.close().catch(() => undefined)));
  }
}
