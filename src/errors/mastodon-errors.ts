import { GiveUpError, RetryLaterError, WaitUntilError } from './job-fates.ts';

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
