/**
 * The use cases on in-memory adapters: no Redis, no HTTP, a clock the test
 * moves. What the unit tests of Operations and Processor share.
 */
import { readFileSync } from 'node:fs';
import { DateTime } from 'luxon';
import { MemoryJobQueue } from '../../src/adapters/memory/memory-job-queue.ts';
import { MemoryPostAttempts } from '../../src/adapters/memory/memory-post-attempts.ts';
import { MemoryStateStore } from '../../src/adapters/memory/memory-state-store.ts';
import { Operations, type RateBudgetView } from '../../src/core/operations.ts';
import type { Clock } from '../../src/core/ports/clock.ts';
import type { Logger } from '../../src/core/ports/logger.ts';
import { postOnceOptions } from '../../src/core/post-once.ts';
import { Processor } from '../../src/core/processor.ts';
import { TemplateRenderer } from '../../src/render/template-renderer.ts';
import { parseSchedule } from '../../src/schedule/load-schedule.ts';
import type { Schedule } from '../../src/schedule/schedule.ts';
import { MemoryAccount } from './memory-account.ts';

const SEED = 'schedules/wien-rocks-2023-02-12.yaml';
export const schedule = parseSchedule(readFileSync(SEED, 'utf8'), SEED);
const seedSchedule = schedule;
const renderer = new TemplateRenderer(schedule.templateDirs);

export const COALESCE_MS = 3000;

/** Virtual time starts a minute into the window; real time is its own number, as BullMQ's would be. */
export class TestClock implements Clock {
  real = 1_700_000_000_000;
  private readonly realStart = this.real;
  constructor(private readonly start = schedule.window.start.plus({ minutes: 1 })) {}
  now(): DateTime {
    return this.start.plus({ milliseconds: this.real - this.realStart });
  }
  realDelayMs(virtualMs: number): number {
    return virtualMs;
  }
  realNowMs(): number {
    return this.real;
  }
  advance(ms: number) {
    this.real += ms;
  }
}

/** Keeps what was logged, so a test can see that a branch said what it did. */
export function recordingLogger() {
  const lines: { level: string; message: string }[] = [];
  const at = (level: string) => (fields: object | string, message?: string) => void lines.push({ level, message: typeof fields === 'string' ? fields : (message ?? '') });
  const log: Logger = { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
  return { log, lines };
}

export function useCaseRig(options: { fallback?: boolean; rateBudget?: RateBudgetView; schedule?: Schedule; now?: DateTime } = {}) {
  const schedule = options.schedule ?? seedSchedule;
  const clock = new TestClock(options.now);
  const store = new MemoryStateStore(() => clock.realNowMs());
  const jobs = new MemoryJobQueue(() => clock.realNowMs());
  const attempts = new MemoryPostAttempts();
  const primary = new MemoryAccount('primary');
  const fallback = options.fallback ? new MemoryAccount('fallback') : null;
  const { log, lines } = recordingLogger();
  const now = () => clock.now();
  const operations = new Operations({ schedules: new Map([[schedule.id, schedule]]), store, jobs, now, coalesceMs: COALESCE_MS, log, clock, rateBudget: options.rateBudget });
  const processor = new Processor({
    schedules: new Map([[schedule.id, { schedule, renderer }]]),
    store,
    jobs,
    primary,
    fallback,
    characterLimit: 500,
    graceMs: 3_600_000,
    now,
    clock,
    log,
    posting: postOnceOptions(attempts, 1000, () => clock.realNowMs()),
  });
  /** Runs every job that is due now, in queue order, as the worker would; returns each job's id and outcome (or the error's name). */
  const runDue = () => jobs.runDue((job) => processor.process(job), { log, random: () => 0.5 });
  return { clock, store, jobs, attempts, primary, fallback, log: lines, logger: log, operations, processor, runDue };
}
