import { setTimeout as sleep } from 'node:timers/promises';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { DateTime } from 'luxon';
import { stringify } from 'yaml';
import type { Config } from '../../src/config/config.ts';
import { Operations } from '../../src/core/operations.ts';
import { BullJobSink } from '../../src/adapters/bullmq/bullmq-adapter.ts';
import { QUEUE_NAME } from '../../src/core/jobs.ts';
import { localeTemplateDirs } from '../../src/schedule/load-schedule.ts';
import type { Schedule } from '../../src/schedule/schedule.ts';
import type { RecordedRequest, Sandbox, SandboxStatus } from '../../src/sandbox/index.ts';
import { StateStore } from '../../src/adapters/redis/state-store.ts';
import type { TestContext } from 'vitest';
import { rebasedWienRocks, REDIS_URL, rig, silentLog, uniqueId } from '../support/harness.ts';

/** Waits until `at` (a time, or epoch ms); at once when it has passed. */
export const sleepUntil = (at: DateTime | number) => sleep(Math.max(0, (typeof at === 'number' ? at : at.toMillis()) - Date.now()));

/**
 * Announcements and reminders placed `stepMs` apart in their original order,
 * the last one `stepMs` before the start. The window itself is untouched.
 */
export function spacedBeforeStart(schedule: Schedule, stepMs: number): Schedule {
  const entries = [
    ...schedule.announcements.map((a) => ({ kind: 'announcement' as const, id: a.id, at: a.at })),
    ...schedule.reminders.map((r) => ({ kind: 'reminder' as const, id: r.id, at: r.at })),
  ].sort((a, b) => a.at.toMillis() - b.at.toMillis());
  const at = new Map(entries.map((e, i) => [`${e.kind}:${e.id}`, schedule.window.start.minus({ milliseconds: (entries.length - i) * stepMs })]));
  return {
    ...schedule,
    announcements: schedule.announcements.map((a) => ({ ...a, at: at.get(`announcement:${a.id}`)! })),
    reminders: schedule.reminders.map((r) => ({ ...r, at: at.get(`reminder:${r.id}`)! })),
  };
}

/** The schedule as a YAML file Herold can load (times with offset and milliseconds). */
export function scheduleYaml(schedule: Schedule): string {
  const iso = (dt: DateTime) => dt.toISO({ includeOffset: true })!;
  const doc: Record<string, unknown> = {
    id: schedule.id,
    instance: schedule.instance,
    timezone: schedule.timezone,
    locale: schedule.locale,
    ...(schedule.statusPage ? { statusPage: schedule.statusPage } : {}),
    ...(schedule.contact ? { contact: schedule.contact } : {}),
    ...(schedule.fallbackAccount ? { fallbackAccount: schedule.fallbackAccount } : {}),
    ...(schedule.reason ? { reason: schedule.reason } : {}),
    ...(schedule.mastodonVersion ? { mastodonVersion: schedule.mastodonVersion } : {}),
    ...(schedule.backoutPosts ? { backoutPosts: schedule.backoutPosts } : {}),
    ...(localeTemplateDirs(schedule.locale).includes(schedule.templateDirs[0]!) ? {} : { templates: { dir: schedule.templateDirs[0] } }),
    window: {
      start: iso(schedule.window.start),
      deadline: iso(schedule.window.deadline),
      expectedDowntime: schedule.window.expectedDowntime.toISO(),
    },
    announcements: schedule.announcements.map((a) => ({ id: a.id, at: iso(a.at), template: a.template })),
    reminders: schedule.reminders.map((r) => ({
      id: r.id,
      before: `PT${((schedule.window.start.toMillis() - r.at.toMillis()) / 1000).toFixed(3)}S`,
      template: r.template,
    })),
    tasks: schedule.tasks.map((t) => ({
      id: t.id,
      title: t.title,
      ...(t.at ? { at: iso(t.at) } : {}),
      ...(t.milestone === null ? {} : { milestone: t.milestone === '' ? true : t.milestone }),
    })),
  };
  return stringify(doc);
}

/** A temporary directory that `cleanup` removes. */
export function tempDir(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(path.join(tmpdir(), 'herold-app-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export function writeSchedule(dir: string, schedule: Schedule): string {
  const file = path.join(dir, `${schedule.id}.yaml`);
  writeFileSync(file, scheduleYaml(schedule));
  return file;
}

/** Operations on the test prefix from the test process, the way the CLI does it (no worker). */
export async function operator(config: Config, schedules: Schedule[]) {
  const redis = new Redis(config.redisUrl, { maxRetriesPerRequest: null });
  // Reconnects on its own (a test may restart its Redis); the errors meanwhile are expected.
  redis.on('error', () => undefined);
  const jobs = new BullJobSink(redis, config.prefix);
  const store = new StateStore(redis, config.prefix);
  const ops = new Operations({
    schedules: new Map(schedules.map((s) => [s.id, s])),
    store,
    jobs,
    now: () => DateTime.now(),
    coalesceMs: config.coalesceMs,
    log: silentLog,
  });
  return {
    ops,
    store,
    jobs,
    queue: jobs.queue,
    async close() {
      await jobs.close();
      redis.disconnect();
    },
  };
}

/** A read-only look at the queue of a prefix. */
export async function queueOf(prefix: string): Promise<{ queue: Queue; close: () => Promise<void> }> {
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  const queue = new Queue(QUEUE_NAME, { connection: redis, prefix });
  return {
    queue,
    async close() {
      await queue.close();
      redis.disconnect();
    },
  };
}

/** Live statuses whose text, as first posted, contains `marker` (the progress toot is edited later). */
export const withText = (sandbox: Sandbox, marker: string): SandboxStatus[] =>
  sandbox.statuses().filter((s) => !s.deletedAt && (s.history[0]?.text ?? s.text).includes(marker));

/** The progress toot in its final state after the completion: "✅ Wartung … abgeschlossen", no task open, no deadline promise. */
export const showsCompletion = (text: string) => text.startsWith('✅ Wartung') && !/⬜|⏳|Spätestens/.test(text);

/** Markers of each toot kind in the German templates. */
export const MARK = {
  move: 'zieht um, und zwar nach Wien',
  termin: 'Wartung angekündigt',
  reminder: 'Erinnerung',
  start: 'Es geht los',
  progress: '🚧 Wartung von',
  milestone: ': erledigt um',
  complete: 'Geschafft',
  backout: 'Planänderung',
  dateChanged: 'Neuer Termin',
  cancelled: 'Abgesagt',
} as const;

/** Every status carries its own Idempotency-Key: no toot was created twice under different keys. */
export function expectUniqueKeys(sandbox: Sandbox): string[] {
  const keys = sandbox.statuses().map((s) => s.idempotencyKey);
  if (keys.some((k) => k === null)) throw new Error(`A status was created without an Idempotency-Key: ${JSON.stringify(keys)}`);
  if (new Set(keys).size !== keys.length) throw new Error(`Duplicate keys: ${JSON.stringify(keys)}`);
  return keys as string[];
}

/** POST /api/v1/statuses requests seen by the sandbox. */
export const statusPosts = (sandbox: Sandbox) => sandbox.requests().filter((r) => r.method === 'POST' && r.path === '/api/v1/statuses');

export function envFor(config: Config, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_OPTIONS: '',
    MASTODON_URL: config.mastodonUrl,
    MASTODON_ACCESS_TOKEN: config.mastodonAccessToken,
    REDIS_URL: config.redisUrl,
    HEROLD_PREFIX: config.prefix,
    HEROLD_GRACE_MS: String(config.graceMs),
    HEROLD_COALESCE_MS: String(config.coalesceMs),
    HEROLD_MAX_BACKOFF_MS: String(config.maxBackoffMs),
    HEROLD_REQUEST_TIMEOUT_MS: String(config.requestTimeoutMs),
    LOG_LEVEL: 'silent',
    ...(config.webhookToken ? { HEROLD_WEBHOOK_TOKEN: config.webhookToken } : {}),
    ...(config.fallback ? { FALLBACK_MASTODON_URL: config.fallback.url, FALLBACK_MASTODON_ACCESS_TOKEN: config.fallback.accessToken } : {}),
    ...extra,
  };
}

export interface Child {
  readonly process: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit code (or the signal's name). */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Resolves once stdout has a line containing `text` (the default wait allows for a slow boot on a busy machine). */
  waitForOutput(text: string, timeoutMs?: number): Promise<void>;
  /** Writes a line to the child's stdin (only for children spawned with `stdin: true`). */
  send(line: string): void;
  kill(signal?: NodeJS.Signals): void;
  /** SIGKILL if still running; resolves once it is gone. */
  stop(): Promise<void>;
}

const children = new Set<ChildProcess>();

/** How long a child may take to boot: a few seconds alone, far more while the whole suite runs on 2 cores. */
export const BOOT_TIMEOUT_MS = 60_000;

export function spawnChild(args: string[], env: NodeJS.ProcessEnv, { cwd = process.cwd(), stdin = false } = {}): Child {
  const child = spawn(process.execPath, args, { cwd, env, stdio: [stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'] });
  children.add(child);
  let out = '';
  let err = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
  // 'close', not 'exit': 'exit' can come before the last of stdout and stderr has been read (a loaded
  // machine showed an exit code 1 with its message still in the pipe).
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('close', (code, signal) => {
      children.delete(child);
      resolve({ code, signal });
    }),
  );
  let gone = false;
  void exited.then(() => (gone = true));
  return {
    process: child,
    stdout: () => out,
    stderr: () => err,
    exited,
    async waitForOutput(text, timeoutMs = BOOT_TIMEOUT_MS) {
      const until = Date.now() + timeoutMs;
      while (!out.includes(text)) {
        if (gone) throw new Error(`The child exited before printing "${text}". stdout: ${out} stderr: ${err}`);
        if (Date.now() > until) throw new Error(`Timed out waiting for "${text}". stdout: ${out} stderr: ${err}`);
        await sleep(10);
      }
    },
    send(line) {
      child.stdin!.write(`${line}\n`);
    },
    kill(signal = 'SIGKILL') {
      if (!gone) child.kill(signal);
    },
    async stop() {
      if (!gone) child.kill('SIGKILL');
      await exited;
    },
  };
}

/** Kills every child still running, of every test: only for files whose tests run one after another. */
export async function killChildren(): Promise<void> {
  const running = [...children];
  for (const child of running) child.kill('SIGKILL');
  await Promise.all(running.map((c) => (c.exitCode !== null || c.signalCode !== null ? undefined : new Promise((r) => c.once('exit', r)))));
}

/** A worker in its own process on the compiled build (test/app/fixtures/worker.js); prints "ready" once it runs. */
export function spawnWorker(config: Config, scheduleFiles: string[], extraEnv: Record<string, string> = {}): Child {
  return spawnChild([path.join('test', 'app', 'fixtures', 'worker.js'), ...scheduleFiles], envFor(config, extraEnv));
}

/**
 * A worker process that has loaded Herold's modules and waits: it prints
 * "loaded", and starts (connects, plans, takes jobs) only once `start()` is
 * called. Spawned ahead, it replaces a killed worker as a fresh process
 * without the test waiting for Node to boot.
 */
export interface HeldWorker extends Child {
  /** Starts the worker; resolves once it prints "ready". */
  start(): Promise<void>;
}

export function spawnHeldWorker(config: Config, scheduleFiles: string[], extraEnv: Record<string, string> = {}): HeldWorker {
  const child = spawnChild([path.join('test', 'app', 'fixtures', 'worker.js'), ...scheduleFiles], envFor(config, { ...extraEnv, TEST_HOLD: '1' }), { stdin: true });
  return {
    ...child,
    async start() {
      await child.waitForOutput('loaded');
      child.send('start');
      await child.waitForOutput('ready');
    },
  };
}

/** `node bin/herold.js …` */
/** `herold …` as a process; `cwd` defaults to the project (an operator may run it from anywhere). */
export function spawnHerold(args: string[], env: NodeJS.ProcessEnv, cwd?: string): Child {
  return spawnChild([path.resolve('bin', 'herold.js'), ...args], env, { cwd });
}

/** Like waitFor, with a short polling interval for moments that pass quickly. */
export async function poll<T>(what: string, probe: () => T | Promise<T>, timeoutMs = 15_000, intervalMs = 2): Promise<NonNullable<T>> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value as NonNullable<T>;
    if (Date.now() > until) throw new Error(`Timed out waiting for ${what}`);
    await sleep(intervalMs);
  }
}

/** Short BullMQ locks so a killed worker's job is handed over within a few seconds. */
export const FAST_STALL = { lockDuration: 2000, stalledInterval: 1000 } as const;

/** How many task lines of a start/progress toot show `icon` (✅ done, ⏳ running, ⬜ pending); the headline ("✅ Wartung … abgeschlossen") is no task. */
export const iconCount = (text: string, icon: string) => text.split('\n').slice(1).filter((line) => line.startsWith(`${icon} `)).length;

/** Requests the test sends itself, as another client of the bot's account would (excluded from Herold's requests). */
export const OTHER_CLIENT_HEADER = 'x-test-other-client';

/** Sends requests with the bot's token, as another client of the account, until the instance refuses one (429). */
export async function spendBudget(sandbox: Sandbox, token = 'sandbox-token', max = 5000): Promise<number> {
  for (let sent = 1; sent <= max; sent += 1) {
    const response = await fetch(`${sandbox.url}/api/v1/accounts/verify_credentials`, { headers: { authorization: `Bearer ${token}`, [OTHER_CLIENT_HEADER]: '1' } });
    await response.arrayBuffer();
    if (response.status === 429) return sent;
  }
  throw new Error(`The sandbox never said 429 within ${max} requests.`);
}

/** Herold's own requests to the instance's API, in the order they arrived. */
export function heroldRequests(sandbox: Sandbox): RecordedRequest[] {
  return sandbox
    .requests()
    .filter((q) => q.path.startsWith('/api/') && q.headers[OTHER_CLIENT_HEADER] === undefined)
    .sort((a, b) => a.at - b.at);
}

/**
 * Herold's requests that reached the instance after it had said 429 to
 * Herold and before that block ended. Within a window every request that
 * counts against a refused bucket is refused too (the counts only grow), so
 * such a request shows as a 429 that is not Herold's first one for the same
 * bucket and window (the sandbox logs both as `refusedBy`). `settleMs`
 * spares requests that were already under way when the first 429 came back.
 * Pass `heroldRequests(sandbox)` (or all requests, when no other client
 * uses the account).
 */
export function requestsWhileBlocked(requests: readonly RecordedRequest[], settleMs = 100): RecordedRequest[] {
  const firstAt = new Map<string, number>();
  const late: RecordedRequest[] = [];
  for (const q of [...requests].sort((a, b) => a.at - b.at)) {
    if (q.status !== 429) continue;
    const block = q.refusedBy ? `${q.refusedBy.bucket}@${q.refusedBy.resetAt}` : 'unknown';
    const first = firstAt.get(block);
    if (first === undefined) firstAt.set(block, q.at);
    else if (q.at > first + settleMs) late.push(q);
  }
  return late;
}

/** Lines a child wrote to a stream, without blank ones. */
export const lines = (text: string) => text.split('\n').filter((l) => l.trim() !== '');

/** Waits for the child to exit (SIGKILL after `timeoutMs`) and returns its code and output. */
export async function finished(child: Child, timeoutMs = 15_000) {
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const { code, signal } = await child.exited;
  clearTimeout(timer);
  return { code, signal, stdout: child.stdout(), stderr: child.stderr() };
}

/** `herold run` with its own sandbox, prefix and schedule file (nothing due while a test runs); cleaned up when the test ends. */
export async function setUpRun({ onTestFinished }: TestContext) {
  const r = await rig();
  const tmp = tempDir();
  onTestFinished(async () => {
    await r.close();
    tmp.cleanup();
  });
  const file = writeSchedule(tmp.dir, { ...rebasedWienRocks(3_600_000, 1, uniqueId('run')), announcements: [], reminders: [] });
  return { r, file };
}
