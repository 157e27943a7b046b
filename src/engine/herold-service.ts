import { serve, type ServerType } from '@hono/node-server';
import { DateTime } from 'luxon';
import type { Logger } from 'pino';
import type { Config } from '../config/config.ts';
import { MastodonRejectedError } from '../errors.ts';
import { createApp } from '../http/app.ts';
import { MastoAccount } from '../mastodon/masto-account.ts';
import type { RateLimitState } from '../mastodon/mastodon-account.ts';
import { BullJobSink, connectOrExplain, pauseUntil, startWorker, workerConnection } from '../queue/bullmq-adapter.ts';
import { Processor } from '../queue/processor.ts';
import { TemplateRenderer } from '../render/template-renderer.ts';
import type { Schedule } from '../schedule/schedule.ts';
import { StateStore } from '../state/state-store.ts';
import { Operations } from './operations.ts';

export interface HeroldServiceOptions {
  readonly config: Config;
  readonly schedules: ReadonlyMap<string, Schedule>;
  readonly log: Logger;
  /** The clock; rehearsals and tests inject their own. */
  readonly now?: () => DateTime;
  /** Serve HTTP (webhook, probes). Default true. */
  readonly http?: boolean;
  readonly concurrency?: number;
}

export interface HeroldService {
  readonly operations: Operations;
  readonly store: StateStore;
  readonly jobs: BullJobSink;
  readonly characterLimit: number;
  readonly httpUrl: string | null;
  /** Stops taking jobs, lets the one in flight finish (or hands it back), closes Redis. */
  close(): Promise<void>;
}

/** `herold run`: checks the token, reads the limit, upserts the schedules' jobs, runs the worker and HTTP. */
export async function startHerold(options: HeroldServiceOptions): Promise<HeroldService> {
  const { config, log } = options;
  const now = options.now ?? (() => DateTime.now());
  const redis = workerConnection(config.redisUrl);
  redis.on('error', () => undefined);
  await connectOrExplain(redis, config.redisUrl);

  const jobs = new BullJobSink(redis, config.prefix);
  const store = new StateStore(redis, config.prefix);
  const onRateLimit = (state: RateLimitState) => {
    // Pause every worker before the instance has to say 429.
    if (state.remaining <= 0) void pauseUntil(jobs.queue, state.resetAt).catch(() => undefined);
  };
  const primary = new MastoAccount({ url: config.mastodonUrl, accessToken: config.mastodonAccessToken, role: 'primary', timeoutMs: config.requestTimeoutMs, onRateLimit });
  const fallback = config.fallback
    ? new MastoAccount({ url: config.fallback.url, accessToken: config.fallback.accessToken, role: 'fallback', timeoutMs: config.requestTimeoutMs })
    : null;

  let characterLimit: number;
  try {
    const me = await primary.verify();
    characterLimit = await primary.characterLimit();
    log.info({ account: me.acct, characterLimit }, `Speaking as @${me.acct} on ${config.mastodonUrl}.`);
  } catch (error) {
    await jobs.close();
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
  const processor = new Processor({ schedules, store, jobs, primary, fallback, characterLimit, graceMs: config.graceMs, now, log });
  const operations = new Operations({ schedules: options.schedules, store, jobs, now, coalesceMs: config.coalesceMs, log });
  for (const schedule of options.schedules.values()) await operations.upsert(schedule);

  const worker = startWorker({
    connection: redis,
    prefix: config.prefix,
    process: (job) => processor.process(job),
    store,
    log,
    maxBackoffMs: config.maxBackoffMs,
    concurrency: options.concurrency,
  });

  let server: ServerType | null = null;
  let httpUrl: string | null = null;
  if (options.http ?? true) {
    const app = createApp({
      operations,
      webhookToken: config.webhookToken,
      ready: async () => worker.isRunning() && (await redis.ping().then(() => true, () => false)),
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
    async close() {
      if (server) await new Promise<void>((resolve) => server!.close(() => resolve()));
      await worker.close();
      await jobs.close();
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
