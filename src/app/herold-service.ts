import { setTimeout as sleep } from 'node:timers/promises';
import type { ServerType } from '@hono/node-server';
import { DateTime } from 'luxon';
import type { Logger } from 'pino';
import type { Config } from '../config/config.ts';
import { describeProblem, type MastodonRejectedError } from '../errors.ts';
import { createApp } from '../http/app.ts';
import { listen, serverUrl } from '../http/listen.ts';
import { HeroldMetrics, meteredAccount } from '../adapters/metrics/metrics.ts';
import { redisGuard } from '../http/middleware/redis-guard.ts';
import { StatusPages } from '../http/views/status-pages.ts';
import { queueBoard } from '../adapters/bullmq/queue-board.ts';
import { scheduleReadings } from '../adapters/metrics/schedule-readings.ts';
import { CalendarSequenceStore } from '../adapters/redis/calendar-sequence-store.ts';
import { createWeb, webSecurity, type Web } from '../http/web.ts';
import { MastoAccount } from '../adapters/mastodon/masto-account.ts';
import type { BucketRules } from '../core/rate-budget.ts';
import { RateBudgetStore } from '../adapters/redis/rate-budget-store.ts';
import { RequestGate } from '../adapters/mastodon/request-gate.ts';
import type { RateLimitState } from '../core/ports/mastodon-account.ts';
import { observedAccount } from '../core/observed-account.ts';
import { pauseUntil, startWorker, type BullJobSink, type WorkerOptions } from '../adapters/bullmq/bullmq-adapter.ts';
import { postOnceOptions } from '../core/post-once.ts';
import { Processor } from '../core/processor.ts';
import { connectOrExplain, redisConnection } from '../adapters/redis/connect.ts';
import { Replies, type ReplyTuning } from './replies.ts';
import { wireCore } from './core-wiring.ts';
import { TemplateRenderer } from '../render/template-renderer.ts';
import type { Schedule } from '../schedule/schedule.ts';
import type { StateStore } from '../adapters/redis/state-store.ts';
import { CharacterLimit } from '../adapters/redis/character-limit.ts';
import { clockFromNow, type Clock } from '../core/ports/clock.ts';
import { InstanceReachability, type ReachabilityView } from '../core/instance-reachability.ts';
import type { Operations, UpsertResult } from '../core/operations.ts';
import { CheckRunner } from '../core/check-runner.ts';
import type { CheckRoute } from '../checks/check-route.ts';
import type { CheckStore } from '../adapters/redis/check-store.ts';
import { isLoopbackUrl, localOnly } from '../checks/local-only-route.ts';
import { CheckQueue } from '../adapters/bullmq/check-queue.ts';
import { PrimaryCheck } from '../core/primary-check.ts';
import { cappedBackoffMs } from '../backoff.ts';
import { startHeartbeat } from '../adapters/redis/heartbeat.ts';
import type { ScheduleSource } from '../schedule/schedule-source.ts';
import { loadFaq } from '../faq/index.ts';

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
  /** The files the schedules came from: stored in Redis for operator commands, their hashes in the heartbeat. */
  readonly sources?: ReadonlyMap<string, ScheduleSource>;
}

/** What a reload changed for one schedule. */
export interface ReloadResult extends UpsertResult {
  readonly id: string;
  /** The hash of the version that ran before; null for a schedule new to this service. */
  readonly previous: string | null;
  readonly hash: string;
}

export interface HeroldService {
  /**
   * Runs these (already validated) schedule files from now on: each changed one is swapped in,
   * its jobs re-planned. A schedule absent from `next` keeps running until the restart.
   */
  reload(next: ReadonlyMap<string, { schedule: Schedule; source: ScheduleSource }>): Promise<ReloadResult[]>;
  readonly operations: Operations;
  readonly store: StateStore;
  readonly jobs: BullJobSink;
  /** The longest toot: from the instance, else the last value it told us, else the schedule's maxCharacters, else 500. */
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
  /** Whether the primary instance answers, and since when it does not. */
  reachability(): ReachabilityView;
  /**
   * Resolves if the instance, once it answers, refuses the token (401/403):
   * the worker has stopped taking jobs, and `herold run` exits 1 with this error.
   */
  readonly stopped: Promise<MastodonRejectedError>;
  /** Stops taking jobs, lets the one in flight finish (or hands it back), closes Redis. */
  close(): Promise<void>;
}

/** How long the start waits for the instance's first answer before going on without it. */
const FIRST_ANSWER_WAIT_MS = 3000;

/** Resolves null after `ms`, without keeping the process alive. */
const delay = (ms: number) => sleep(ms, null, { ref: false });

/**
 * `herold run`: upserts the schedules' jobs, runs the worker and HTTP. The
 * primary instance need not answer: Herold starts without it (status page,
 * webhook, queue, fallback account) and keeps checking the token in the background.
 */
export async function startHerold(options: HeroldServiceOptions): Promise<HeroldService> {
  const { config, log } = options;
  // One map every part reads at each use: a reload (src/cli/run.ts) swaps a schedule in place.
  const running = new Map(options.schedules);
  const sources = new Map(options.sources ?? []);
  const clock = options.clock ?? clockFromNow(options.now ?? (() => DateTime.now()));
  const now = () => clock.now();
  // Closed in reverse order, also when the start fails half-way.
  const closers: (() => Promise<unknown> | void)[] = [];
  const closeAll = async () => {
    for (const close of closers.splice(0).reverse()) await Promise.resolve(close()).catch(() => undefined);
  };

  const redis = redisConnection(config.redisUrl, 'worker');
  redis.on('error', () => undefined);
  closers.push(() => redis.quit().catch(() => redis.disconnect()));
  try {
    await connectOrExplain(redis, config.redisUrl);
    const core = await wireCore({ config, redis, schedules: running, now, clock, log, rateBuckets: options.rateBuckets });
    closers.push(() => core.close());
    const { store, jobs, gate, operations } = core;
    const onRateLimit = (state: RateLimitState) => {
      // Pause every worker before the instance has to say 429.
      if (state.remaining <= 0) void pauseUntil(jobs.queue, state.resetAt).catch(() => undefined);
    };
    const metrics = new HeroldMetrics();
    const reachability = new InstanceReachability(
      () => now().toMillis(),
      (change) =>
        change.reachable
          ? log.info({ since: new Date(change.since).toISOString() }, `The primary instance ${config.mastodonUrl} answers again.`)
          : log.warn({ since: new Date(change.since).toISOString() }, `The primary instance ${config.mastodonUrl} does not answer: ${change.reason}`),
    );
    // One rate budget per account in Redis, shared by every process: each request asks it first (the primary's is the wiring's gate).
    const primaryAccount = new MastoAccount({ url: config.mastodonUrl, accessToken: config.mastodonAccessToken, role: 'primary', timeoutMs: config.requestTimeoutMs, onRateLimit, gate });
    const primary = meteredAccount(observedAccount(primaryAccount, reachability.observer()), metrics);
    let fallback: MastoAccount | null = null;
    if (config.fallback) {
      const fallbackBudget = new RateBudgetStore(redis, config.prefix, 'fallback');
      closers.push(() => fallbackBudget.close());
      const fallbackGate = new RequestGate({ store: fallbackBudget, where: `fallback instance ${config.fallback.url}`, rules: core.rules });
      fallback = meteredAccount(new MastoAccount({ url: config.fallback.url, accessToken: config.fallback.accessToken, role: 'fallback', timeoutMs: config.requestTimeoutMs, gate: fallbackGate }), metrics);
    }

    // The token first: a definite refusal stops Herold before it does anything; no answer does not.
    const limit = await CharacterLimit.load(redis, config.prefix, running.values());
    const check = new PrimaryCheck({
      account: primary,
      url: config.mastodonUrl,
      limit,
      log,
      retryDelayMs: (attempt) => cappedBackoffMs(1000, attempt - 2, config.maxBackoffMs),
    });
    closers.push(() => check.stop());
    const first = check.attempt();
    // A refusal stops the start; a slow instance does not hold it up (the outcome is handled below).
    const early = await Promise.race([first, delay(FIRST_ANSWER_WAIT_MS)]);

    const schedules = new Map([...running].map(([id, schedule]) => [id, { schedule, renderer: new TemplateRenderer(schedule.templateDirs) }]));
    // The FAQ, read once: the answers (matching and templates) and the status page use the same.
    const faq = await loadFaq().catch((error: unknown) => {
      // The toots matter more on the day than the answers: run without it (Replies logs it as an error,
      // the heartbeat shows it in herold status).
      log.warn({ err: (error as Error).message }, 'The FAQ could not be loaded; the status page shows no answers.');
      return error instanceof Error ? error : new Error(String(error));
    });
    const replies = new Replies({
      faq,
      config,
      stores: core,
      jobs,
      store,
      schedules: running,
      primary,
      get characterLimit() {
        return limit.value;
      },
      now,
      log,
      onRateLimit,
      gate,
      onReplied: () => metrics.replied(),
    });
    const processor = new Processor({
      checks: core.checks,
      schedules,
      store,
      jobs,
      primary,
      fallback,
      // Read at each use: the instance may tell its limit only after the start.
      get characterLimit() {
        return limit.value;
      },
      graceMs: config.graceMs,
      now,
      clock,
      log,
      replies: replies.processor,
      posting: postOnceOptions(core.attempts, config.requestTimeoutMs),
    });
    for (const schedule of running.values()) await operations.upsert(schedule);
    const checkQueue = new CheckQueue(redis, config.prefix);
    closers.push(() => checkQueue.close());
    const checkRunner = new CheckRunner({
      schedules: running,
      store,
      checks: core.checks,
      operations,
      jobs: checkQueue,
      clock,
      log,
      route: options.checks?.route ?? (isLoopbackUrl(config.mastodonUrl) ? localOnly : undefined),
      minIntervalMs: options.checks?.minIntervalMs,
    });
    for (const schedule of running.values()) await checkRunner.ensure(schedule);

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
    closers.push(() => worker.close());
    const checkWorker = checkQueue.startWorker({ connection: redis, prefix: config.prefix, run: (job) => checkRunner.run(job), log, lockDuration: options.worker?.lockDuration, stalledInterval: options.worker?.stalledInterval });
    closers.push(() => checkWorker.close());
    // The listener's first call may wait for a whole request timeout while the instance hangs; HTTP waits no longer than the token check.
    const repliesStarted = replies.start({ listen: options.replies ?? true, acceptDms: options.acceptDms }).catch((error: unknown) => {
      log.error(`Questions are not answered: ${(error as Error).message}`);
    });
    await Promise.race([repliesStarted, delay(FIRST_ANSWER_WAIT_MS)]);
    closers.push(async () => {
      await repliesStarted;
      await replies.close();
    });

    let refused!: (error: MastodonRejectedError) => void;
    const stopped = new Promise<MastodonRejectedError>((resolve) => (refused = resolve));
    const onRefused = (error: MastodonRejectedError) => {
      // Nothing more goes out with a token the instance refuses; the jobs stay queued for the restart with a good one.
      log.error(error.message);
      void worker.pause(true).catch(() => undefined);
      refused(error);
    };
    if (early === false) check.keepTrying(onRefused);
    else if (early === null) first.then((ok) => ok || check.keepTrying(onRefused), onRefused);

    metrics.observe({ accounts: fallback ? [primary, fallback] : [primary], reachability: () => reachability.view() });
    let web: Web | null = null;
    let server: ServerType | null = null;
    let httpUrl: string | null = null;
    if (options.http ?? true) {
      // The HTTP side has its own connection that never waits for Redis (src/adapters/redis/connect.ts, role http).
      const httpRedis = redisConnection(config.redisUrl, 'http');
      httpRedis.on('error', () => undefined);
      closers.push(() => httpRedis.quit().catch(() => httpRedis.disconnect()));
      await connectOrExplain(httpRedis, config.redisUrl);
      const http = await wireCore({ config, redis: httpRedis, schedules: running, now, clock, log, rateBuckets: options.rateBuckets, http: true });
      closers.push(() => http.close());
      const httpJobs = http.jobs;

      // Read at scrape time, through the HTTP side's connection.
      metrics.observe({
        queueCounts: () => httpJobs.queue.getJobCounts(),
        budget: () => http.gate.report(),
        checks: async () => (await Promise.all([...running.values()].map(async (s) => [...(await http.checks.all(s.id)).values()].map((c) => ({ schedule: s.id, task: c.taskId, passing: c.streak.passing }))))).flat(),
        schedules: () => scheduleReadings(running, http.store),
      });
      web = await createWeb({
        faq: faq instanceof Error ? null : faq,
        schedules: running,
        store: http.store,
        now,
        feedKey: config.mastodonUrl,
        metrics,
        board: queueBoard(httpJobs.queue),
        admin: config.admin,
        log,
        checks: http.checks,
        reachability: () => reachability.view(),
        calendar: new CalendarSequenceStore(httpRedis, config.prefix),
        panel: { operations: http.operations, questions: http.replies, notes: { allowUrls: config.noteUrls } },
        ...webSecurity(config),
      });
      const pages = new StatusPages();
      const app = createApp({
        operations: http.operations,
        webhookToken: config.webhookToken,
        notes: { allowUrls: config.noteUrls },
        ready: async () => worker.isRunning() && (await httpRedis.ping().then(() => true, () => false)),
        web,
        guard: redisGuard({ redis: httpRedis, page: () => pages.unavailable(), headers: () => pages.headers() }),
      });
      server = await listen(app, config.host, config.port);
      const s = server;
      closers.push(() => new Promise<void>((resolve) => s.close(() => resolve())));
      closers.push(() => web?.close());
      httpUrl = serverUrl(server, config.host, config.port);
      log.info({ url: httpUrl }, 'HTTP server listening.');
    }

    // Last: operator commands take a beat to mean that the worker picks up what they queue.
    const heartbeat = await startHeartbeat({
      redis,
      prefix: config.prefix,
      schedules: () => running.values(),
      sources: () => sources,
      faqProblem: () => (faq instanceof Error ? describeProblem(faq) : null),
      onError: (error) => log.warn(`The heartbeat could not be written: ${error.message}`),
    });
    closers.push(() => heartbeat.stop());

    const reload = async (next: ReadonlyMap<string, { schedule: Schedule; source: ScheduleSource }>): Promise<ReloadResult[]> => {
      const results: ReloadResult[] = [];
      for (const [id, { schedule, source }] of next) {
        const previous = sources.get(id)?.hash ?? null;
        if (previous === source.hash && running.has(id)) continue;
        running.set(id, schedule);
        sources.set(id, source);
        schedules.set(id, { schedule, renderer: new TemplateRenderer(schedule.templateDirs) });
        // Posted toots stay; pending jobs move with the file, and a moved window gets its date-changed toot.
        const upserted = await operations.upsert(schedule);
        await checkRunner.ensure(schedule);
        results.push({ id, previous, hash: source.hash, ...upserted });
      }
      await heartbeat.beat();
      return results;
    };

    return {
      reload,
      operations,
      store,
      jobs,
      get characterLimit() {
        return limit.value;
      },
      httpUrl,
      metrics,
      replies,
      checks: { runner: checkRunner, store: core.checks, queue: checkQueue },
      gate,
      reachability: () => reachability.view(),
      stopped,
      close: closeAll,
    };
  } catch (error) {
    await closeAll();
    throw error;
  }
}
