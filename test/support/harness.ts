import { setTimeout as sleep } from 'node:timers/promises';
import { readFileSync } from 'node:fs';
import { DateTime } from 'luxon';
import { pino } from 'pino';
import { Redis } from 'ioredis';
import type { TestContext } from 'vitest';
import { loadConfig, type Config } from '../../src/config/config.ts';
import { startHerold, type HeroldService } from '../../src/app/herold-service.ts';
import { parseSchedule } from '../../src/schedule/load-schedule.ts';
import type { Schedule } from '../../src/schedule/schedule.ts';
import { startSandbox, type Sandbox, type SandboxOptions } from '../../src/sandbox/index.ts';

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/**
 * The wien.rocks schedule moved so that its start lies `startInMs` from now;
 * every other time keeps its distance to the start, compressed by `scale`.
 */
export function rebasedWienRocks(startInMs: number, scale = 1, id = uniqueId('wr')): Schedule {
  const original = parseSchedule(readFileSync('schedules/wien-rocks-2023-02-12.yaml', 'utf8'), 'schedules/wien-rocks-2023-02-12.yaml');
  const zone = original.timezone;
  const newStart = DateTime.now().setZone(zone).plus({ milliseconds: startInMs });
  const shift = (dt: DateTime) => newStart.plus({ milliseconds: (dt.toMillis() - original.window.start.toMillis()) / scale });
  return {
    ...original,
    id,
    window: { ...original.window, start: newStart, deadline: shift(original.window.deadline) },
    announcements: original.announcements.map((a) => ({ ...a, at: shift(a.at) })),
    reminders: original.reminders.map((r) => ({ ...r, at: shift(r.at) })),
    tasks: original.tasks.map((t) => ({ ...t, at: t.at ? shift(t.at) : null })),
  };
}

let counter = 0;
export function uniqueId(base: string): string {
  counter += 1;
  return `${base}-${process.pid}-${Date.now().toString(36)}-${counter}`;
}

export function testConfig(sandbox: Sandbox, overrides: Partial<Config> = {}): Config {
  const config = loadConfig({
    MASTODON_URL: sandbox.url,
    MASTODON_ACCESS_TOKEN: 'sandbox-token',
    REDIS_URL,
    HEROLD_WEBHOOK_TOKEN: 'test-webhook-token-0123456789',
    PORT: '0',
    HOST: '127.0.0.1',
    HEROLD_PREFIX: `{herold-test-${uniqueId('p')}}`,
    HEROLD_COALESCE_MS: '200',
    HEROLD_MAX_BACKOFF_MS: '500',
    HEROLD_REQUEST_TIMEOUT_MS: '2000',
    LOG_LEVEL: 'silent',
  });
  return { ...config, ...overrides };
}

export const silentLog = pino({ level: process.env.TEST_LOG ?? 'silent' });

export interface Rig {
  sandbox: Sandbox;
  config: Config;
  services: HeroldService[];
  start(schedules: Schedule[], extra?: Partial<Parameters<typeof startHerold>[0]>): Promise<HeroldService>;
  close(): Promise<void>;
}

export async function rig(sandboxOptions: SandboxOptions = {}, overrides: Partial<Config> = {}): Promise<Rig> {
  const sandbox = await startSandbox({ rateLimit: null, ...sandboxOptions });
  const config = testConfig(sandbox, overrides);
  const services: HeroldService[] = [];
  return {
    sandbox,
    config,
    services,
    async start(schedules, extra = {}) {
      const service = await startHerold({ config, schedules: new Map(schedules.map((s) => [s.id, s])), log: silentLog, ...extra });
      services.push(service);
      return service;
    },
    async close() {
      for (const s of services.splice(0)) await s.close().catch(() => undefined);
      await sandbox.close();
      const redis = new Redis(REDIS_URL);
      const keys = await redis.keys(`${config.prefix}*`);
      if (keys.length > 0) await redis.del(...keys);
      redis.disconnect();
    },
  };
}

/** A rig closed when the test ends: for tests that run side by side (test.concurrent), each with its own. */
export async function rigForTest(onTestFinished: TestContext['onTestFinished'], ...options: Parameters<typeof rig>): Promise<Rig> {
  const r = await rig(...options);
  onTestFinished(() => r.close());
  return r;
}

export async function waitFor<T>(what: string, probe: () => T | Promise<T>, timeoutMs = 15_000): Promise<NonNullable<T>> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value as NonNullable<T>;
    if (Date.now() > until) throw new Error(`Timed out waiting for ${what}`);
    await sleep(25);
  }
}
