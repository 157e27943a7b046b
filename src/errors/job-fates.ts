import { HeroldError } from './herold-error.ts';

// The fate of a job that failed. The worker sorts errors by these three, as BullMQ's own
// DelayedError, RateLimitError and UnrecoverableError do, and logs each branch;
// anything else is a fault (a bug or a template problem): a few tries, then given up.
// Expected situations (a job promoted early, a busy lock, a toot waiting for its
// thread) are no errors: the job returns an outcome (src/core/job-outcome.ts).

/** The job runs again after a back-off, without using up its attempts: what it needs is not there yet. */
export class RetryLaterError extends HeroldError {
  override name = 'RetryLaterError';
}

/** The job goes back to the delayed set until a known time, without using up an attempt. */
export abstract class WaitUntilError extends HeroldError {
  /** Whether the whole queue pauses too (the instance refuses every request until then), or only this job waits. */
  abstract readonly pausesQueue: boolean;
  /** How the worker logs the wait: a rate limit is worth a warning. */
  abstract readonly logLevel: 'warn' | 'info';
  /** Real milliseconds from `nowMs` until the job may run; `realDelay` turns schedule time into real time. */
  abstract waitMs(nowMs: number, realDelay: (scheduleMs: number) => number): number;
}

/** The job fails for good; the worker records the reason, which `herold status` shows. */
export class GiveUpError extends HeroldError {
  override name = 'GiveUpError';
}

/** A job this process cannot run at all (its schedule is not loaded here, or it does not answer questions). */
export class NotHandledHereError extends GiveUpError {
  override name = 'NotHandledHereError';
}
