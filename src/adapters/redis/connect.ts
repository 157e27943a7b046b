import { Cluster, Redis, type ClusterOptions, type RedisOptions } from 'ioredis';
import { RedisUnavailableError } from '../../errors.ts';
import { parseRedisUrl, redactRedisUrl } from './redis-url.ts';

/** One Redis server (possibly found through Sentinel) or a Redis Cluster: BullMQ and the state store take either. */
export type RedisConnection = Redis | Cluster;

/**
 * What a connection is for:
 * - `worker`: the worker and the scheduler; waits for Redis forever (maxRetriesPerRequest: null,
 *   as BullMQ requires), so a Redis restart costs a pause, not a lost job.
 * - `producer`: CLI commands; one try, fail at once with a clear message.
 * - `http`: the HTTP server; never queues a command while Redis is away and (once armed with
 *   armCommandTimeout) gives up on one after half a second, so every route answers within a
 *   second and a webhook change is never applied long after its client gave up. Keeps
 *   reconnecting in the background.
 */
export type ConnectionRole = 'worker' | 'producer' | 'http';

/** How long the HTTP side waits for one Redis command. */
export const HTTP_COMMAND_TIMEOUT_MS = 500;

const ROLE: Record<ConnectionRole, { redis: RedisOptions; retry: (attempt: number) => number | null; offlineQueue: boolean; lazy: boolean }> = {
  worker: { redis: { maxRetriesPerRequest: null }, retry: (attempt) => Math.min(2000, 50 * attempt), offlineQueue: true, lazy: false },
  producer: { redis: { maxRetriesPerRequest: 1, connectTimeout: 3000 }, retry: () => null, offlineQueue: false, lazy: true },
  http: {
    // commandTimeout comes with armCommandTimeout, once the connection (and BullMQ's version check on it) is up.
    redis: { maxRetriesPerRequest: 0, connectTimeout: 1000, autoResendUnfulfilledCommands: false },
    retry: (attempt) => Math.min(1000, 100 * attempt),
    offlineQueue: false,
    lazy: false,
  },
};

/** The one place Herold opens a Redis connection: plain, Sentinel or Cluster, as REDIS_URL says. */
export function redisConnection(redisUrl: string, role: ConnectionRole): RedisConnection {
  const target = parseRedisUrl(redisUrl);
  const { redis, retry, offlineQueue, lazy } = ROLE[role];
  const options: RedisOptions = { ...redis, enableOfflineQueue: offlineQueue, lazyConnect: lazy, retryStrategy: retry };
  if (target.kind === 'single') return new Redis(redisUrl, options);
  const auth: RedisOptions = {
    ...(target.username ? { username: target.username } : {}),
    ...(target.password ? { password: target.password } : {}),
    ...(target.tls ? { tls: {} } : {}),
  };
  if (target.kind === 'sentinel') {
    return new Redis({
      ...options,
      ...auth,
      sentinels: target.sentinels.map((s) => ({ host: s.host, port: s.port })),
      name: target.name,
      db: target.db,
      ...(target.sentinelPassword ? { sentinelPassword: target.sentinelPassword } : {}),
      ...(target.tls ? { enableTLSForSentinelMode: true, sentinelTLS: {} } : {}),
      sentinelRetryStrategy: retry,
    });
  }
  const cluster: ClusterOptions = {
    redisOptions: { ...redis, ...auth },
    enableOfflineQueue: offlineQueue,
    lazyConnect: lazy,
    clusterRetryStrategy: retry,
    // Herold's keys share one hash tag, so they live on one master; read from it too.
    scaleReads: 'master',
  };
  return new Cluster(
    target.nodes.map((n) => ({ host: n.host, port: n.port })),
    cluster,
  );
}

/**
 * From now on every command on `redis` fails after `ms` instead of waiting.
 * Set after the start, so that a loaded machine's slow first answers (the
 * connection check, BullMQ's version check) do not fail the start for good.
 */
export function armCommandTimeout(redis: RedisConnection, ms = HTTP_COMMAND_TIMEOUT_MS): void {
  if (redis instanceof Cluster) {
    redis.options.redisOptions = { ...redis.options.redisOptions, commandTimeout: ms };
    for (const node of redis.nodes('all')) node.options.commandTimeout = ms;
  } else {
    redis.options.commandTimeout = ms;
  }
}

/** The servers that hold keys: the connection itself, or every master of a cluster. */
export function serversOf(redis: RedisConnection): Redis[] {
  return redis instanceof Cluster ? redis.nodes('master') : [redis];
}

/** Connects, or says in one line how to get a Redis. */
export async function connectOrExplain(redis: RedisConnection, redisUrl: string): Promise<void> {
  if (redis.status === 'ready') return;
  try {
    if (redis.status === 'wait') await redis.connect();
    else await untilReady(redis, 5000);
    await redis.ping();
  } catch (error) {
    throw new RedisUnavailableError(
      `Redis at ${redactRedisUrl(redisUrl)} does not answer (${(error as Error).message}). Start one (apt-get install redis-server, or a container: docker run -p 6379:6379 redis:7) or set REDIS_URL.`,
      { cause: error },
    );
  }
}

/** Waits for a connection that is already connecting (without an offline queue a command would fail at once). */
function untilReady(redis: RedisConnection, timeoutMs: number): Promise<void> {
  if (redis.status === 'ready') return Promise.resolve();
  return new Promise<void>((resolve, reject) => {
    let lastError: Error | null = null;
    const onError = (error: Error) => (lastError = error);
    const done = (error: Error | null) => {
      clearTimeout(timer);
      redis.off('ready', onReady);
      redis.off('error', onError);
      if (error) reject(error);
      else resolve();
    };
    const onReady = () => done(null);
    const timer = setTimeout(() => done(lastError ?? new Error(`not ready after ${timeoutMs} ms`)), timeoutMs);
    redis.on('ready', onReady);
    redis.on('error', onError);
  });
}
