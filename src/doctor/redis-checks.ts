import type { RedisConnection } from '../adapters/redis/connect.ts';
import { fail, maskUrl, ok, warn, type CheckResult } from './check.ts';

/** BullMQ 5 needs Redis 6.2 or newer. */
const MIN_REDIS = [6, 2] as const;

/** Redis answers; its version is new enough for BullMQ. */
export async function redisReachable(redis: RedisConnection, redisUrl: string): Promise<CheckResult> {
  const started = Date.now();
  // ioredis reports the real cause (ECONNREFUSED, ENOTFOUND …) as an event; the rejected call only says "Connection is closed".
  let cause: string | null = null;
  const onError = (error: NodeJS.ErrnoException) => (cause ??= error.code ?? error.message);
  redis.on('error', onError);
  try {
    if (redis.status === 'wait') await redis.connect();
    await redis.ping();
  } catch (error) {
    return fail('redis', `Redis at ${maskUrl(redisUrl)} does not answer (${cause ?? (error as Error).message}).`, 'Start Redis (apt-get install redis-server, or a container) or set REDIS_URL.');
  } finally {
    redis.off('error', onError);
  }
  const ms = Date.now() - started;
  const info = await redis.info('server').catch(() => '');
  const version = /redis_version:([\d.]+)/.exec(info)?.[1];
  if (version) {
    const [major = 0, minor = 0] = version.split('.').map(Number);
    if (major < MIN_REDIS[0] || (major === MIN_REDIS[0] && minor < MIN_REDIS[1])) {
      return fail('redis', `Redis ${version} at ${maskUrl(redisUrl)} is too old for BullMQ.`, `Use Redis ${MIN_REDIS.join('.')} or newer.`);
    }
  }
  return ok('redis', `Redis ${version ?? '(version unknown)'} at ${maskUrl(redisUrl)} answers (${ms} ms).`);
}

async function configGet(redis: RedisConnection, name: string): Promise<string | null> {
  const reply = (await redis.call('CONFIG', 'GET', name)) as string[];
  return reply[1] ?? null;
}

/** AOF on: a Redis restart keeps the queue and the state (which toots went out). */
export async function redisPersistence(redis: RedisConnection): Promise<CheckResult> {
  let appendonly: string | null;
  try {
    appendonly = await configGet(redis, 'appendonly');
  } catch (error) {
    return warn(
      'redis-persistence',
      `Cannot read the Redis config (${(error as Error).message}); persistence is unverifiable.`,
      'Make sure the Redis service keeps its data across restarts (appendonly yes).',
    );
  }
  if (appendonly === 'yes') return ok('redis-persistence', 'AOF is on (appendonly yes): a restart keeps the queue and what was posted.');
  return warn(
    'redis-persistence',
    'AOF is off: if Redis restarts, the queue and the record of posted toots are lost (fine on a dev machine).',
    'redis-cli CONFIG SET appendonly yes, and put "appendonly yes" in redis.conf.',
  );
}

/** BullMQ requires maxmemory-policy noeviction: evicted keys are lost jobs. */
export async function redisEviction(redis: RedisConnection): Promise<CheckResult> {
  let policy: string | null;
  try {
    policy = await configGet(redis, 'maxmemory-policy');
  } catch (error) {
    return warn(
      'redis-eviction',
      `Cannot read maxmemory-policy (${(error as Error).message}); unverifiable.`,
      'Ask your Redis provider for maxmemory-policy noeviction; BullMQ requires it.',
    );
  }
  if (policy === 'noeviction') return ok('redis-eviction', 'maxmemory-policy is noeviction, as BullMQ requires.');
  return fail(
    'redis-eviction',
    `maxmemory-policy is ${policy ?? 'unset'}: Redis may evict queued jobs and state when memory runs low.`,
    'redis-cli CONFIG SET maxmemory-policy noeviction, and put "maxmemory-policy noeviction" in redis.conf.',
  );
}
