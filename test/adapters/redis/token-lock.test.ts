import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { connectOrExplain, redisConnection, type RedisConnection } from '../../../src/adapters/redis/connect.ts';
import { releaseLock, renewLock, takeLock } from '../../../src/adapters/redis/token-lock.ts';
import { REDIS_URL, uniqueId } from '../../support/harness.ts';

let redis: RedisConnection;
beforeAll(async () => {
  redis = redisConnection(REDIS_URL, 'producer');
  await connectOrExplain(redis, REDIS_URL);
});
afterAll(async () => {
  await redis.quit();
});

describe('token lock (real Redis)', () => {
  test('only one holder; only the holder renews and releases', async () => {
    const key = `{${uniqueId('lock')}}:lock`;
    try {
      expect(await takeLock(redis, key, 'a', 5000)).toBe(true);
      expect(await takeLock(redis, key, 'b', 5000)).toBe(false);
      expect(await renewLock(redis, key, 'b', 60_000)).toBe(false);
      expect(await renewLock(redis, key, 'a', 60_000)).toBe(true);
      expect(await redis.pttl(key)).toBeGreaterThan(5000);
      expect(await releaseLock(redis, key, 'b')).toBe(false);
      expect(await redis.get(key)).toBe('a');
      expect(await releaseLock(redis, key, 'a')).toBe(true);
      expect(await redis.exists(key)).toBe(0);
      expect(await takeLock(redis, key, 'b', 5000)).toBe(true);
    } finally {
      await redis.del(key);
    }
  });

  test('a lock that expired and was taken by another stays theirs', async () => {
    const key = `{${uniqueId('lock')}}:lock`;
    try {
      expect(await takeLock(redis, key, 'old', 5000)).toBe(true);
      await redis.pexpire(key, 1); // expire now rather than wait
      await expect.poll(() => redis.exists(key)).toBe(0);
      expect(await takeLock(redis, key, 'new', 5000)).toBe(true);
      expect(await renewLock(redis, key, 'old', 5000)).toBe(false);
      expect(await releaseLock(redis, key, 'old')).toBe(false);
      expect(await redis.get(key)).toBe('new');
    } finally {
      await redis.del(key);
    }
  });
});
