import type { DateTime } from 'luxon';
import type { Logger } from 'pino';
import type { Config } from '../config/config.ts';
import { BullJobSink } from '../adapters/bullmq/bullmq-adapter.ts';
import { RequestGate } from '../adapters/mastodon/request-gate.ts';
import { CheckStore } from '../adapters/redis/check-store.ts';
import { armCommandTimeout, type RedisConnection } from '../adapters/redis/connect.ts';
import { NotifyStore } from '../adapters/redis/notify-store.ts';
import { PostAttempts } from '../adapters/redis/post-attempts.ts';
import { RateBudgetStore } from '../adapters/redis/rate-budget-store.ts';
import { ReplyStore } from '../adapters/redis/reply-store.ts';
import { StateStore } from '../adapters/redis/state-store.ts';
import { Operations } from '../core/operations.ts';
import type { Clock } from '../core/ports/clock.ts';
import { MASTODON_BUCKETS, scaleBuckets, type BucketRules } from '../core/rate-budget.ts';
import { tootsNeededReader } from '../core/toots-needed.ts';
import type { Schedule } from '../schedule/schedule.ts';

export interface CoreWiringDeps {
  readonly config: Pick<Config, 'prefix' | 'coalesceMs' | 'rateScale' | 'mastodonUrl'>;
  /** The connection every store and the queue use; the caller opened it and closes it. */
  readonly redis: RedisConnection;
  /** The schedules in force, read at each use (a reload swaps one in place). */
  readonly schedules: ReadonlyMap<string, Schedule>;
  readonly now: () => DateTime;
  /** Default: real time (a rehearsal passes its faster clock). */
  readonly clock?: Clock;
  readonly log?: Logger;
  /** The instance's rate-limit buckets; default Mastodon's, scaled by HEROLD_RATE_SCALE. */
  readonly rateBuckets?: BucketRules;
  /**
   * The HTTP side's connection (role http, src/adapters/redis/connect.ts): the queue is made ready
   * first (BullMQ's version check), then the command timeout is armed, then the budget duplicates
   * the connection with it.
   */
  readonly http?: boolean;
}

/** The Redis and BullMQ adapters on one connection, and the use case built on them. */
export interface CoreWiring {
  readonly store: StateStore;
  readonly jobs: BullJobSink;
  readonly checks: CheckStore;
  readonly attempts: PostAttempts;
  readonly replies: ReplyStore;
  readonly notify: NotifyStore;
  /** The primary account's rate budget, shared with every Herold process through Redis. */
  readonly gate: RequestGate;
  /** The instance's rate-limit buckets the gate keeps to (a fallback account's gate uses them too). */
  readonly rules: BucketRules;
  readonly operations: Operations;
  /** Closes what the wiring opened (the budget's connection, the queue); not the caller's connection. */
  close(): Promise<void>;
}

/**
 * The one wiring root of the core (in the manner of masto.js's
 * adapters/clients.ts): `herold run` builds it twice, for the worker and for
 * HTTP, each on its own connection; the operator commands build it once.
 */
export async function wireCore(deps: CoreWiringDeps): Promise<CoreWiring> {
  const { config, redis, schedules, now, clock, log } = deps;
  const jobs = new BullJobSink(redis, config.prefix);
  if (deps.http) {
    jobs.queue.on('error', () => undefined);
    try {
      // Fully connected before anything can close it (a port in use): a half-open BullMQ connection would throw on close.
      await jobs.queue.waitUntilReady();
    } catch (error) {
      await jobs.close().catch(() => undefined);
      throw error;
    }
    armCommandTimeout(redis);
  }
  const store = new StateStore(redis, config.prefix);
  const checks = new CheckStore(redis, config.prefix);
  const attempts = new PostAttempts(redis, config.prefix);
  const budget = new RateBudgetStore(redis, config.prefix, 'primary');
  const rules = deps.rateBuckets ?? scaleBuckets(MASTODON_BUCKETS, config.rateScale);
  const gate = new RequestGate({ store: budget, where: `primary instance ${config.mastodonUrl}`, rules, tootsNeeded: tootsNeededReader(schedules, store) });
  const operations = new Operations({ schedules, store, jobs, now, coalesceMs: config.coalesceMs, log, clock, checks, rateBudget: gate, attempts });
  return {
    store,
    jobs,
    checks,
    attempts,
    replies: new ReplyStore(redis, config.prefix),
    notify: new NotifyStore(redis, config.prefix),
    gate,
    rules,
    operations,
    async close() {
      try {
        await budget.close();
      } finally {
        await jobs.close();
      }
    },
  };
}
