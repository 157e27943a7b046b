import { serve, type ServerType } from '@hono/node-server';
import { DateTime } from 'luxon';
import type { Logger } from 'pino';
import type { Config } from '../config/config.ts';
import { MastodonRateLimitedError, MastodonRejectedError } from '../errors.ts';
import { createApp } from '../http/app.ts';
import { HeroldMetrics, meteredAccount } from '../http/metrics.ts';
import { createWeb, webSecurity, type Web } from '../http/web.ts';
import { MastoAccount } from '../mastodon/masto-account.ts';
import { MASTODON_BUCKETS, type BucketRules } from '../mastodon/rate-budget.ts';
import { RateBudgetStore } from '../mastodon/rate-budget-store.ts';
import { RequestGate } from '../mastodon/request-gate.ts';
import type { RateLimitState } from '../mastodon/mastodon-account.ts';
import { BullJobSink, connectOrExplain, pauseUntil, startWorker, workerConnection, type WorkerOptions } from '../queue/bullmq-adapter.ts';
import { postOnceOptions } from '../queue/post-once.ts';
import { Processor } from '../queue/processor.ts';
import { Replies, type ReplyTuning } from '../replies/index.ts';
import { TemplateRenderer } from '../render/template-renderer.ts';
import type { Schedule } from '../schedule/schedule.ts';
import { PostAttempts } from '../state/post-attempts.ts';
import { StateStore } from '../state/state-store.ts';
import { clockFromNow, type Clock } from './clock.ts';
import { Operations } from './operations.ts';
import { CheckRunner, type CheckRoute } from '../checks/check-runner.ts';
import { CheckStore } from '../checks/check-store.ts';
import { isLoopbackUrl, localOnly } from '../checks/local-only-route.ts';
import { CheckQueue } from '../queue/check-queue.ts';
import { tootsNeededReader } from './toots-needed.ts';

export interface HeroldServiceOptions {
  readonly config: Config;
  readonly schedules: ReadonlyMap<string, Schedule>;
  readonly log: Logger;
  /** The clock; rehearsals and tests inject their own. */
  readonly now?: () => DateTime;
  /** A clock that may run faster than real time (rehearsals); wins over `now`. Default: the system clock. */
  readonly clock?: Clock;
  /** Serve HTTP (webhook, probes). Default true. */
  readonly http?: boolean;
  readonly concurrency?: number;
  /** BullMQ lock and stalled-job timing (defaults 30 s each); shorter hands a killed worker's job over sooner. */
  readonly worker?: Pick<WorkerOptions, 'lockDuration' | 'stalledInterval' | 'maxStalledCount'>;
  /** Answer mentions and DMs (only where config.replies is on). Default true; tuning shortens the polling in tests. */
  readonly replies?: boolean | ReplyTuning;
  /** `herold run --accept-dms`: let DMs from accounts the bot does not follow through the notification policy. */
  readonly acceptDms?: boolean;
  /**
   * Task checks (src/checks). `route` points checks elsewhere (the rehearsal's local servers); by default they
   * look at the real world, except while MASTODON_URL is on this machine, when only loopback checks run.
   */
  readonly checks?: { readonly route?: CheckRoute; readonly minIntervalMs?: number };
  /** The instance's rate-limit buckets; default Mastodon's (a sandbox with a faster clock passes scaled ones). */
  readonly rateBuckets?: BucketRules;
}

export interface HeroldService {
  readonly operations: Operations;
  readonly store: StateStore;
  readonly jobs: BullJobSink;
  readonly characterLimit: number;
  readonly httpUrl: string | null;
  /** Counters for /metrics; the reply worker calls `metrics.replied()`. */
  readonly metrics: HeroldMetrics;
  /** Auto-replies: reply state, the listener (null when off). */
  readonly replies: Replies;
  /** Task checks: their runner (ensure, run) and stored results. */
  readonly checks: { readonly runner: CheckRunner; readonly store: CheckStore; readonly queue: CheckQueue };
  /** The primary account's shared rate budget (every request passes it). */
  readonly gate: RequestGate;
  /** Stops taking jobs, lets the one in flight finish (or hands it back), closes Redis. */
  close(): Promise<void>;
}

/** `herold run`: checks the token, reads the limit, upserts the schedules' jobs, runs the worker and HTTP. */
export async function startHerold(options: HeroldServiceOptions): Promise<HeroldService> {
  const { config, log } = options;
  const clock = options.clock ?? clockFromNow(options.now ?? (() => DateTime.now()));
  const now = () => clock.now();
  const redis = workerConnection(config.redisUrl);
  redis.on('error', () => undefined);
  await connectOrExplain(redis, config.redisUrl);

  const jobs = new BullJobSink(redis, config.prefix);
  const store = new StateStore(redis, config.prefix);
  const onRateLimit = (state: RateLimitState) => {
    // Pause every worker before the instance has to say 429.
    if (state.remaining <= 0) void pauseUntil(jobs.queue, state.resetAt).catch(() => undefined);
  };
  const metrics = new HeroldMetrics();
  // One rate budget per account in Redis, shared by every process: each request asks it first.
  const rules = options.rateBuckets ?? MASTODON_BUCKETS;
  const budgets = [new RateBudgetStore(redis, config.prefix, 'primary')];
  const gate = new RequestGate({ store: budgets[0]!, where: `primary instance ${config.mastodonUrl}`, rules, tootsNeeded: tootsNeededReader(options.schedules, store) });
  const primary = meteredAccount(new MastoAccount({ url: config.mastodonUrl, accessToken: config.mastodonAccessToken, role: 'primary', timeoutMs: config.requestTimeoutMs, onRateLimit, gate }), metrics);
  let fallback: MastoAccount | null = null;
  if (config.fallback) {
    budgets.push(new RateBudgetStore(redis, config.prefix, 'fallback'));
    const fallbackGate = new RequestGate({ store: budgets[1]!, where: `fallback instance ${config.fallback.url}`, rules });
    fallback = meteredAccount(new MastoAccount({ url: config.fallback.url, accessToken: config.fallback.accessToken, role: 'fallback', timeoutMs: config.requestTimeoutMs, gate: fallbackGate }), metrics);
  }

  let characterLimit: number;
  try {
    // The instance has said 429 (to this process or another one): ask only after the reset.
    const me = await waitingOutRateLimits(() => primary.verify(), log);
    characterLimit = await waitingOutRateLimits(() => primary.characterLimit(), log);
    log.info({ account: me.acct, characterLimit }, `Speaking as @${me.acct} on ${config.mastodonUrl}.`);
  } catch (error) {
    await jobs.close();
    for (const budget of budgets) await budget.close();
    redis.disconnect();
    if (error instanceof MastodonRejectedError && (error.status === 401 || error.status === 403)) {
      throw new MastodonRejectedError(
        error.status,
        `MASTODON_ACCESS_TOKEN was refused by ${config.mastodonUrl} (HTTP ${error.status}). Create a token with the scopes write:statuses, write:accounts (for pinning) and read:notifications, and set it in MASTODON_ACCESS_TOKEN.`,
      );
    }
    throw error;
  }

  const schedules = new Map([...options.schedules].map(([id, schedule]) => [id, { schedule, renderer: new TemplateRenderer(schedule.templatesDir) }]));
  const replies = new Replies({ config, redis, jobs, store, schedules: options.schedules, primary, characterLimit, now, log, onRateLimit, gate, onReplied: () => metrics.replied() });
  const processor = new Processor({ schedules, store, jobs, primary, fallback, characterLimit, graceMs: config.graceMs, now, log, replies: replies.processor, posting: postOnceOptions(new PostAttempts(redis, config.prefix), config.requestTimeoutMs) });
  const checkStore = new CheckStore(redis, config.prefix);
  const operations = new Operations({ schedules: options.schedules, store, jobs, now, coalesceMs: config.coalesceMs, log, clock, checks: checkStore, rateBudget: gate });
  for (const schedule of options.schedules.values()) await operations.upsert(schedule);
  const checkQueue = new CheckQueue(redis, config.prefix);
  const checkRunner = new CheckRunner({
    schedules: options.schedules,
    store,
    checks: checkStore,
    operations,
    jobs: checkQueue,
    clock,
    log,
    route: options.checks?.route ?? (isLoopbackUrl(config.mastodonUrl) ? localOnly : undefined),
    minIntervalMs: options.checks?.minIntervalMs,
  });
  for (const schedule of options.schedules.values()) await checkRunner.ensure(schedule);

  const worker = startWorker({
    connection: redis,
    prefix: config.prefix,
    process: (job) => processor.process(job),
    store,
    log,
    maxBackoffMs: config.maxBackoffMs,
    realDelayMs: (virtualMs) => clock.realDelayMs(virtualMs),
    concurrency: options.concurrency,
    ...options.worker,
  });
  const checkWorker = checkQueue.startWorker({ connection: redis, prefix: config.prefix, run: (job) => checkRunner.run(job), log, lockDuration: options.worker?.lockDuration, stalledInterval: options.worker?.stalledInterval });
  await replies.start({ listen: options.replies ?? true, acceptDms: options.acceptDms });

  metrics.observe({
    queueCounts: () => jobs.queue.getJobCounts(),
    accounts: fallback ? [primary, fallback] : [primary],
    budget: () => gate.report(),
    checks: async () => (await Promise.all([...options.schedules.values()].map(async (s) => [...(await checkStore.all(s.id)).values()].map((c) => ({ schedule: s.id, task: c.taskId, passing: c.streak.passing }))))).flat(),
  });
  let web: Web | null = null;
  let server: ServerType | null = null;
  let httpUrl: string | null = null;
  if (options.http ?? true) {
    web = await createWeb({ schedules: options.schedules, store, now, feedKey: config.mastodonUrl, metrics, queue: jobs.queue, admin: config.admin, log, checks: checkStore, ...webSecurity(config) });
    const app = createApp({
      operations,
      webhookToken: config.webhookToken,
      notes: { allowUrls: config.noteUrls },
      ready: async () => worker.isRunning() && (await redis.ping().then(() => true, () => false)),
      web,
    });
    server = await new Promise<ServerType>((resolve) => {
      const s = serve({ fetch: app.fetch, hostname: config.host, port: config.port }, () => resolve(s));
    });
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : config.port;
    httpUrl = `http://${config.host === '0.0.0.0' ? '127.0.0.1' : config.host}:${port}`;
    log.info({ url: httpUrl }, 'HTTP server listening.');
  }

  return {
    operations,
    store,
    jobs,
    characterLimit,
    httpUrl,
    metrics,
    replies,
    checks: { runner: checkRunner, store: checkStore, queue: checkQueue },
    gate,
    async close() {
      await replies.close();
      web?.close();
      if (server) await new Promise<void>((resolve) => server!.close(() => resolve()));
      await Promise.all([worker.close(), checkWorker.close()]);
      await Promise.all([jobs.close(), checkQueue.close()]);
      for (const budget of budgets) await budget.close();
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}

/** Runs `call`, waiting (and saying so) for as long as the shared rate budget holds it back. */
async function waitingOutRateLimits<T>(call: () => Promise<T>, log: Logger): Promise<T> {
  for (;;) {
    try {
      return await call();
    } catch (error) {
      if (!(error instanceof MastodonRateLimitedError)) throw error;
      log.warn(error.message);
      await new Promise((resolve) => setTimeout(resolve, Math.max(50, error.retryAt - Date.now())));
    }
  }
}
