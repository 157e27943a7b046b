import { cappedBackoffMs, jittered } from '../backoff.ts';

/**
 * What a job's run came to, when it did not fail. Expected situations are
 * outcomes, not errors: a job promoted early, a busy lock or an earlier POST
 * that may still commit waits; a toot waiting for its thread or a status
 * claimed a moment ago retries. The worker (src/adapters/bullmq) and the
 * memory queue map them as BullMQ's DelayedError and back-off do. Real
 * failures (the instance refusing, a rate limit, a bug) are still thrown
 * (src/errors.ts).
 */
export type JobOutcome = JobDone | JobNotYet;

/** The job did its work (or found nothing to do); `result` is what BullMQ keeps as its return value. */
export interface JobDone {
  readonly kind: 'done';
  readonly result: string;
}

/** The job goes back to the delayed set without using up an attempt, until a known time. */
export type JobWait = {
  readonly kind: 'wait';
  readonly reason: string;
  /** How the worker logs the wait: a job promoted early or a busy lock is a note, an uncertain earlier POST a warning, a toot keeping its place in line a detail. */
  readonly logLevel: 'debug' | 'info' | 'warn';
} & (
  | {
      /** Milliseconds on the schedule's clock (a rehearsal's runs faster). */
      readonly dueInMs: number;
    }
  | {
      /** Real epoch ms. */
      readonly untilMs: number;
    }
);

/** The job runs again after the queue's back-off: what it needs is not there yet. */
export interface JobRetry {
  readonly kind: 'retry';
  readonly reason: string;
}

/** Not done yet: waits or retries. What post-once and the posting steps hand up to the job's outcome. */
export type JobNotYet = JobWait | JobRetry;

export function done(result: string): JobDone {
  return { kind: 'done', result };
}

/** Waits `dueInMs` on the schedule's clock: a timed job promoted early, a lock another worker holds, a toot keeping its place in line (logged at debug). */
export function waitFor(dueInMs: number, reason: string, logLevel: JobWait['logLevel'] = 'info'): JobWait {
  return { kind: 'wait', dueInMs, reason, logLevel };
}

export function retry(reason: string): JobRetry {
  return { kind: 'retry', reason };
}

/** Real milliseconds from `realNowMs` until a waiting job may run; `realDelay` turns schedule time into real time. */
export function waitMs(outcome: JobWait, realNowMs: number, realDelay: (scheduleMs: number) => number): number {
  if ('untilMs' in outcome) return Math.max(20, outcome.untilMs - realNowMs);
  return Math.max(20, Math.round(realDelay(outcome.dueInMs)));
}

/** True for a wait or retry handed up from a step that otherwise returns what it made. */
export function isNotYet<T extends object>(value: T | JobNotYet): value is JobNotYet {
  const kind = (value as { kind?: unknown }).kind;
  return kind === 'wait' || kind === 'retry';
}

/** The back-off before a retry: 250 ms doubled per attempt made, capped at `maxBackoffMs`, ±20 % jitter. */
export function retryDelayMs(attemptsMade: number, maxBackoffMs: number, random: () => number = Math.random): number {
  return jittered(cappedBackoffMs(250, attemptsMade, maxBackoffMs, 16), random);
}
