import path from 'node:path';

/**
 * One small error hierarchy. Every message is a full sentence that says what
 * went wrong and what to do next; the CLI prints `message` and exits 1 without
 * a stack trace for any HeroldError. Anything else is a bug and keeps its stack.
 */
export class HeroldError extends Error {
  override name = 'HeroldError';

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** Where in a file a problem sits; line and column are 1-based. */
export interface SourcePosition {
  readonly file: string;
  readonly line?: number;
  readonly column?: number;
}

/** One problem found in a schedule or template file. */
export interface Problem extends SourcePosition {
  /** What is wrong, as a sentence. */
  readonly message: string;
  /** How to fix it, as a sentence. */
  readonly hint?: string;
}

/** `file:line:column`, with the file relative to the working directory when it lies below it. */
export function formatPosition(position: SourcePosition): string {
  const relative = path.relative(process.cwd(), position.file);
  const file = relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : position.file;
  if (position.line === undefined) return file;
  if (position.column === undefined) return `${file}:${position.line}`;
  return `${file}:${position.line}:${position.column}`;
}

export function formatProblem(problem: Problem): string {
  const hint = problem.hint ? ` ${problem.hint}` : '';
  return `${formatPosition(problem)}: ${problem.message}${hint}`;
}

/** A file Herold reads cannot be used as it is; `problems` says where and why, one per line. */
export class FileProblemsError extends HeroldError {
  override name = 'FileProblemsError';
  readonly problems: readonly Problem[];

  constructor(problems: readonly Problem[]) {
    super(problems.map(formatProblem).join('\n'));
    this.problems = problems;
  }
}

/** A schedule file (or a template it uses) cannot be used as it is. */
export class ScheduleError extends FileProblemsError {
  override name = 'ScheduleError';
}

/** An FAQ folder (faq.yaml, its answer templates) or a question set cannot be used as it is. */
export class FaqError extends FileProblemsError {
  override name = 'FaqError';
}

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

/** An environment variable is missing or invalid. */
export class ConfigError extends HeroldError {
  override name = 'ConfigError';

  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(message);
  }
}

/** Something the operator typed on the command line or sent to the webhook is not valid. */
export class UsageError extends HeroldError {
  override name = 'UsageError';
}

/** A new deadline earlier than the one in force, which followers were told: it needs an explicit yes. */
export class EarlierDeadlineError extends UsageError {
  override name = 'EarlierDeadlineError';

  constructor(
    message: string,
    /** The requested deadline and the one in force, as local "dd.MM.yyyy HH:mm" in the schedule's zone. */
    readonly requested: string,
    readonly inForce: string,
  ) {
    super(message);
  }
}

/** A schedule, task or other id that Herold does not know. */
export class NotFoundError extends HeroldError {
  override name = 'NotFoundError';
}

/**
 * The Mastodon server answered with an error that retrying cannot fix
 * (401, 403, 404, 422). `status` is the HTTP status code.
 */
export class MastodonRejectedError extends GiveUpError {
  override name = 'MastodonRejectedError';

  constructor(
    readonly status: number,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * The instance does not answer right now (refused connection, timeout, 5xx, an
 * HTML error page). Expected during the migration window; the job waits and retries.
 */
export class MastodonUnavailableError extends RetryLaterError {
  override name = 'MastodonUnavailableError';
}

/** The instance's rate limit is used up until `retryAt` (epoch ms): the queue pauses until then. */
export class MastodonRateLimitedError extends WaitUntilError {
  override name = 'MastodonRateLimitedError';
  readonly pausesQueue: boolean = true;
  readonly logLevel = 'warn' as const;

  constructor(
    readonly retryAt: number,
    message: string,
  ) {
    super(message);
  }

  waitMs(nowMs: number): number {
    return Math.max(1000, this.retryAt - nowMs);
  }
}

/**
 * The request could go, but what is left of the budget is kept for the
 * schedule's remaining toots (an edit or an answer to a question waits).
 * Only this job waits; the queue goes on with the toots.
 */
export class BudgetReservedError extends MastodonRateLimitedError {
  override name = 'BudgetReservedError';
  override readonly pausesQueue = false;
}

/** Redis does not answer; nothing can be scheduled or recorded without it. */
export class RedisUnavailableError extends HeroldError {
  override name = 'RedisUnavailableError';
}

/**
 * A POST whose outcome Herold did not see: a timeout, a dropped connection or
 * an error status from the instance or its proxy. The status may exist on the
 * server ("maybe posted"); before posting again Herold looks for it there.
 * `mayStillCommit`: the server may still be working on the request (timeout,
 * dropped connection, 502/503/504 from a proxy), so an empty lookup right now
 * proves nothing. `notSent`: the connection was refused; nothing reached the
 * server.
 */
export class PostOutcomeUnknownError extends MastodonUnavailableError {
  override name = 'PostOutcomeUnknownError';

  constructor(
    message: string,
    readonly outcome: { readonly mayStillCommit: boolean; readonly notSent: boolean },
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * The account already has as many pins as Mastodon allows (5 for a local
 * account; StatusPinValidator). Not "already pinned": the toot is not pinned.
 */
export class PinLimitError extends MastodonRejectedError {
  override name = 'PinLimitError';
}
