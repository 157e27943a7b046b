import { MastoHttpError } from 'masto';
import { BudgetReservedError, MastodonRateLimitedError } from '../../errors.ts';
import { editIntervalMs } from '../../core/edit-pacing.ts';
import {
  applyReading,
  applyRefusal,
  bucketsOfReading,
  MASTODON_BUCKETS,
  report,
  take,
  type BucketReport,
  type BucketRules,
  type BucketState,
  type RequestCost,
} from '../../core/rate-budget.ts';
import type { RateBudgetStore } from '../redis/rate-budget-store.ts';
import { readRateLimit } from './rate-limit-headers.ts';

export interface RequestGateOptions {
  readonly store: RateBudgetStore;
  /** e.g. "primary instance https://wien.rocks", for messages. */
  readonly where: string;
  /** Mastodon's buckets unless told otherwise (a sandbox with a faster clock). */
  readonly rules?: BucketRules;
  /** Statuses the schedules' remaining toots need; edits and replies leave them. Default: none. */
  readonly tootsNeeded?: () => Promise<number>;
  /** How long to wait for Redis before holding the request back (it is tried again a second later). Default 3000 ms. */
  readonly redisTimeoutMs?: number;
  /** How long a 429 without rate-limit headers blocks. Default 60000 ms. */
  readonly blockWithoutResetMs?: number;
  readonly now?: () => number;
}

const BUCKET_WORDS: Record<string, string> = {
  token: 'requests per token',
  account: 'requests per account',
  paging: 'paging requests',
  statuses: 'statuses (posts and edits)',
};

/**
 * The one gate every request to an instance passes, in every process: it
 * takes the request from the account's shared budget in Redis before it is
 * sent, and refuses (MastodonRateLimitedError, with the time to come back)
 * when a bucket is used up, reserved for the schedule's toots, or blocked
 * because the instance said 429. After the answer it corrects the budget
 * with the X-RateLimit-* headers, and a 429 blocks the bucket for every
 * process until the reset. So no process sends a request while the
 * instance has said 429: a fresh process or a second replica reads the
 * block from Redis, and jobs already running in parallel meet it at their
 * next request.
 */
export class RequestGate {
  readonly rules: BucketRules;
  private readonly now: () => number;
  private needed: { value: Promise<number>; at: number } | null = null;

  constructor(private readonly options: RequestGateOptions) {
    this.rules = options.rules ?? MASTODON_BUCKETS;
    this.now = options.now ?? Date.now;
  }

  /** Takes the request from the budget, or throws MastodonRateLimitedError saying until when to wait. */
  async before(what: string, cost: RequestCost): Promise<void> {
    const needed = cost.status && (cost.use === 'edit' || cost.use === 'reply') ? await this.tootsNeeded() : 0;
    const verdict = await this.redis('take a request from the rate budget', () =>
      this.options.store.update((states) => {
        const v = take(states, this.rules, cost, needed, this.now());
        return { states: v.ok ? v.states : {}, result: v };
      }),
    );
    if (verdict.ok) return;
    const until = new Date(verdict.retryAt).toISOString();
    const { where } = this.options;
    const rule = this.rules[verdict.bucket];
    const size = `${verdict.states[verdict.bucket]?.limit ?? rule.limit} ${BUCKET_WORDS[verdict.bucket]} per ${formatPeriod(rule.periodMs)}`;
    const message =
      verdict.reason === 'blocked'
        ? `The ${where} refused us (HTTP 429) for its ${BUCKET_WORDS[verdict.bucket]}; nothing counting against them goes out before ${until}. Waiting to ${what} until then.`
        : verdict.reason === 'spent'
          ? `The ${where} budget of ${size} is used up until ${until}; waiting to ${what} until then.`
          : `The ${where} statuses left before ${until} are kept for the schedule's remaining toots (${needed}); waiting to ${what} until then.`;
    throw verdict.reason === 'reserved' ? new BudgetReservedError(verdict.retryAt, message) : new MastodonRateLimitedError(verdict.retryAt, message);
  }

  /**
   * Sends a request through the gate: asks the budget first, then records the
   * answer's headers, an error answer's too. The request's own errors come
   * back as they are, for the caller to translate.
   */
  async send<R extends { headers: Headers }>(what: string, cost: RequestCost, request: () => Promise<R>): Promise<R> {
    await this.before(what, cost);
    try {
      const response = await request();
      await this.after(cost, response.headers, 200);
      return response;
    } catch (error) {
      if (error instanceof MastoHttpError) await this.after(cost, error.cause instanceof Response ? error.cause.headers : undefined, error.statusCode);
      throw error;
    }
  }

  /** Corrects the budget with the answer's headers; a 429 blocks the bucket it names for every process. */
  async after(cost: RequestCost, headers: Headers | undefined, status: number | null): Promise<void> {
    const now = this.now();
    const reading = headers ? readRateLimit(headers, now) : null;
    if (!reading && status !== 429) return;
    await this.redis('record the rate-limit headers', () =>
      this.options.store.update((states) => {
        const next: Record<string, BucketState> = {};
        const names = reading ? bucketsOfReading(states, this.rules, cost, reading, now) : (['token'] as const);
        for (const name of names) {
          next[name] =
            status === 429
              ? applyRefusal(states[name], this.rules[name], reading, now, now + (this.options.blockWithoutResetMs ?? 60_000))
              : applyReading(states[name], this.rules[name], reading!, now);
        }
        return { states: next, result: undefined };
      }),
      // Redis gone after the answer: the correction is lost, not the answer; the next reading corrects the count again.
    ).catch(() => undefined);
  }

  /** Each bucket as it stands, for `herold status` and /metrics. */
  async report(): Promise<BucketReport[]> {
    return report(await this.options.store.read(), this.rules, this.now());
  }

  /** How far apart progress edits must be now: HEROLD_COALESCE_MS, widened as the statuses budget shrinks. */
  async editIntervalMs(floorMs: number): Promise<number> {
    const [states, reserve] = await Promise.all([this.options.store.read(), this.tootsNeeded()]);
    const statuses = report(states, this.rules, this.now()).find((b) => b.bucket === 'statuses')!;
    const end = statuses.blockedUntil ?? statuses.resetAt;
    const remaining = statuses.blockedUntil ? 0 : statuses.remaining;
    return editIntervalMs(floorMs, { limit: statuses.limit, remaining, reserve, msUntilReset: end - this.now() });
  }

  /**
   * The reserve, read at most once a second: it changes only as toots go
   * out (shrinking) or a schedule moves, so a reading a second old is close enough.
   */
  private tootsNeeded(): Promise<number> {
    const read = this.options.tootsNeeded;
    if (!read) return Promise.resolve(0);
    const now = Date.now();
    if (!this.needed || now - this.needed.at > 1000) {
      const value = read();
      this.needed = { value, at: now };
      value.catch(() => {
        this.needed = null;
      });
    }
    return this.needed.value;
  }

  private async redis<T>(what: string, fn: () => Promise<T>): Promise<T> {
    const timeoutMs = this.options.redisTimeoutMs ?? 3000;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        // Held back like a rate limit (nothing was sent), and asked again shortly.
        () =>
          reject(
            new MastodonRateLimitedError(
              this.now() + 1000,
              `Redis did not answer within ${timeoutMs} ms when Herold tried to ${what}; the request to the ${this.options.where} waits, since it might be one the instance would refuse.`,
            ),
          ),
        timeoutMs,
      );
    });
    try {
      return await Promise.race([fn(), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}

function formatPeriod(ms: number): string {
  if (ms >= 3_600_000 && ms % 3_600_000 === 0) return `${ms / 3_600_000} h`;
  if (ms >= 60_000 && ms % 60_000 === 0) return `${ms / 60_000} min`;
  return `${Math.round(ms) / 1000} s`;
}
