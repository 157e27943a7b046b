/**
 * Shared helpers for the benchmarks in bench/ (not a benchmark itself).
 * Everything here talks to loopback only: the sandbox on 127.0.0.1 and the
 * Redis in REDIS_URL (default redis://127.0.0.1:6379).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { DateTime } from 'luxon';
import { deletePrefix as deleteKeysUnder } from '../src/adapters/redis/delete-prefix.ts';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { parseSchedule } from '../src/schedule/load-schedule.ts';
import type { Schedule } from '../src/schedule/schedule.ts';
import { startHerold } from '../src/app/herold-service.ts';
import { loadConfig } from '../src/config/config.ts';
import type { RecordedRequest, Sandbox } from '../src/sandbox/index.ts';

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
export const SCHEDULE_FILE = 'schedules/wien-rocks-2023-02-12.yaml';
export const WEBHOOK_TOKEN = 'bench-webhook-token-0123456789abcdef';
export const silentLog = pino({ level: process.env.BENCH_LOG ?? 'silent' });

/** Sub-millisecond wall clock (epoch ms, fractional); the sandbox gets the same one, so timestamps compare. */
export const hiresNow = (): number => performance.timeOrigin + performance.now();

/** A fresh Redis hash-tag prefix per run, so runs never see each other's keys. */
export function benchPrefix(name: string): string {
  return `{herold-bench-${name}-${process.pid}-${Date.now().toString(36)}}`;
}

/**
 * The wien.rocks schedule with its start moved to `startAt` (epoch ms) and
 * every other time keeping its distance to the start. Same logic as
 * rebasedWienRocks in test/support/harness.ts, but with an absolute start so
 * that several processes build an identical schedule.
 */
export function rebasedSchedule(startAt: number, id?: string): Schedule {
  const original = parseSchedule(readFileSync(SCHEDULE_FILE, 'utf8'), SCHEDULE_FILE);
  const newStart = DateTime.fromMillis(startAt).setZone(original.timezone);
  const shift = (dt: DateTime) => newStart.plus({ milliseconds: dt.toMillis() - original.window.start.toMillis() });
  return {
    ...original,
    id: id ?? original.id,
    window: { ...original.window, start: newStart, deadline: shift(original.window.deadline) },
    announcements: original.announcements.map((a) => ({ ...a, at: shift(a.at) })),
    reminders: original.reminders.map((r) => ({ ...r, at: shift(r.at) })),
    tasks: original.tasks.map((t) => ({ ...t, at: t.at ? shift(t.at) : null })),
  };
}

/**
 * Calls `listener` for every request the sandbox records, the moment it is
 * recorded (after the answer was sent; `at` is the receipt time). This wraps
 * the sandbox's internal request log, which saves polling `requests()` (a
 * structuredClone of the whole log) in a tight loop on the same event loop as
 * the worker being measured. Falls back to polling every 2 ms if the
 * internal log is not where it used to be.
 */
export function onSandboxRequest(sandbox: Sandbox, listener: (request: RecordedRequest) => void): { mode: 'hook' | 'poll'; stop(): void } {
  const log = (sandbox as unknown as { log?: unknown }).log;
  if (Array.isArray(log)) {
    const array = log as RecordedRequest[];
    const original = array.push;
    array.push = function push(this: RecordedRequest[], ...items: RecordedRequest[]) {
      const length = original.apply(this, items);
      for (const item of items) listener(item);
      return length;
    };
    return { mode: 'hook', stop: () => void (array.push = original) };
  }
  let seen = sandbox.requests().length;
  const timer = setInterval(() => {
    const all = sandbox.requests();
    for (const request of all.slice(seen)) listener(request);
    seen = all.length;
  }, 2);
  return { mode: 'poll', stop: () => clearInterval(timer) };
}

export interface Summary {
  n: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  mean: number;
  min: number;
}

/** Nearest-rank percentiles. */
export function summarize(values: readonly number[]): Summary {
  const sorted = [...values].sort((a, b) => a - b);
  const rank = (p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? NaN;
  return {
    n: sorted.length,
    p50: rank(50),
    p95: rank(95),
    p99: rank(99),
    max: sorted[sorted.length - 1] ?? NaN,
    min: sorted[0] ?? NaN,
    mean: sorted.reduce((a, b) => a + b, 0) / (sorted.length || 1),
  };
}

/** Prints rows as an aligned text table (also valid Markdown). */
export function printTable(header: string[], rows: (string | number)[][]): void {
  const cells = rows.map((r) => r.map((c) => String(c)));
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) => `| ${r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ')} |`;
  console.log(line(header));
  console.log(`|${widths.map((w, i) => (i === 0 ? '-'.repeat(w + 2) : `${'-'.repeat(w + 1)}:`)).join('|')}|`);
  for (const r of cells) console.log(line(r));
}

export const ms = (value: number, digits = 1): string => (Number.isFinite(value) ? value.toFixed(digits) : '—');

/**
 * Herold on `sandbox` with the benchmarks' settings (webhook on a free port, 500 ms back-off) and `env` on
 * top, for the seed schedule rebased to open in 300 ms; resolves once the start toot is posted.
 */
export async function startBenchService(sandbox: Sandbox, env: Record<string, string>) {
  const config = loadConfig({
    MASTODON_URL: sandbox.url,
    MASTODON_ACCESS_TOKEN: 'sandbox-token',
    HEROLD_WEBHOOK_TOKEN: WEBHOOK_TOKEN,
    HOST: '127.0.0.1',
    PORT: '0',
    HEROLD_MAX_BACKOFF_MS: '500',
    LOG_LEVEL: 'silent',
    ...env,
  });
  const schedule = rebasedSchedule(Date.now() + 300);
  const service = await startHerold({ config, schedules: new Map([[schedule.id, schedule]]), log: silentLog });
  const start = await waitUntil('the start toot', () => service.store.posted(schedule.id, 'start'), 15_000, 20).catch(async (error: unknown) => {
    await service.close();
    throw error;
  });
  return { config, schedule, service, start };
}

/** The end of a benchmark that ran a service on a sandbox: close both, delete its keys, exit with `exitCode`. */
export async function finishBench(parts: { service?: { close(): Promise<void> }; sandbox?: { close(): Promise<void> }; prefix: string }, exitCode: number): Promise<never> {
  await parts.service?.close().catch(() => undefined);
  await parts.sandbox?.close().catch(() => undefined);
  const deleted = await deletePrefix(parts.prefix).catch(() => -1);
  console.log(`cleanup: deleted ${deleted} Redis keys under ${parts.prefix}`);
  process.exit(exitCode);
}

/** Deletes every key under the prefix; returns how many. */
export async function deletePrefix(prefix: string): Promise<number> {
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  try {
    return await deleteKeysUnder(redis, prefix);
  } finally {
    redis.disconnect();
  }
}

export async function waitUntil<T>(what: string, probe: () => T | Promise<T>, timeoutMs: number, intervalMs = 5): Promise<NonNullable<T>> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value as NonNullable<T>;
    if (Date.now() > until) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(intervalMs);
  }
}

/** Parses `--name value` and `--flag` arguments. */
export function args(argv = process.argv.slice(2)): Map<string, string> {
  const result = new Map<string, string>();
  for (let i = 0; i < argv.length; i += 1) {
    const a = argv[i]!;
    if (!a.startsWith('--')) continue;
    const [key, inline] = a.slice(2).split('=', 2) as [string, string | undefined];
    if (inline !== undefined) result.set(key, inline);
    else if (argv[i + 1] !== undefined && !argv[i + 1]!.startsWith('--')) result.set(key, argv[++i]!);
    else result.set(key, 'true');
  }
  return result;
}

/**
 * The commit the sources were at, and whether src/ had uncommitted changes
 * (others work in this tree concurrently, so numbers belong to a tree state).
 * Read-only git commands only.
 */
export function treeState(): string {
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'src'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
      .split('\n')
      .filter(Boolean).length;
    return dirty > 0 ? `${head} + ${dirty} uncommitted src/ paths` : head;
  } catch {
    return 'unknown (no git)';
  }
}
