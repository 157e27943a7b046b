/** One contract for the "maybe posted" markers, run against Redis and memory. */
import { describe, expect, test } from 'vitest';
import { MemoryPostAttempts } from '../../src/adapters/memory/memory-post-attempts.ts';
import { connectOrExplain, redisConnection } from '../../src/adapters/redis/connect.ts';
import { PostAttempts } from '../../src/adapters/redis/post-attempts.ts';
import type { PostAttempts as PostAttemptsPort } from '../../src/core/ports/post-attempts.ts';
import { REDIS_URL, uniqueId } from '../support/harness.ts';

const stores: [string, () => Promise<{ attempts: PostAttemptsPort; close(): Promise<void> }>][] = [
  [
    'Redis',
    async () => {
      const redis = redisConnection(REDIS_URL, 'producer');
      await connectOrExplain(redis, REDIS_URL);
      const prefix = `{${uniqueId('contract')}}`;
      return { attempts: new PostAttempts(redis, prefix), close: async () => void (await redis.del(`${prefix}:post-attempts`, `${prefix}:status-claims`), await redis.quit()) };
    },
  ],
  ['memory', async () => ({ attempts: new MemoryPostAttempts(), close: async () => undefined })],
];

describe.each(stores)('PostAttempts contract: %s', (_, make) => {
  test('a second attempt keeps the first time, adds its text once, and moves the settle time', async () => {
    const { attempts, close } = await make();
    try {
      await attempts.begin('k', 'in 2 Stunden', 1000, 2000);
      await attempts.begin('k', 'in 1 Stunde', 5000, 6000);
      await attempts.begin('k', 'in 1 Stunde', 7000, 8000);
      expect(await attempts.get('k')).toEqual({ firstAt: 1000, settleAt: 8000, texts: ['in 2 Stunden', 'in 1 Stunde'] });
      await attempts.settle('k', 9000);
      expect((await attempts.get('k'))!.settleAt).toBe(9000);
      await attempts.settle('unknown', 9000);
      expect(await attempts.get('unknown')).toBeNull();
      expect(Object.keys(await attempts.all())).toEqual(['k']);
      await attempts.forget('k');
      expect(await attempts.get('k')).toBeNull();
      expect(await attempts.all()).toEqual({});
    } finally {
      await close();
    }
  });

  test('a found status belongs to the first key that claims it', async () => {
    const { attempts, close } = await make();
    try {
      expect(await attempts.claim('101', 'a')).toBe(true);
      expect(await attempts.claim('101', 'a')).toBe(true);
      expect(await attempts.claim('101', 'b')).toBe(false);
      expect(await attempts.takenByOther('101', 'b')).toBe(true);
      expect(await attempts.takenByOther('101', 'a')).toBe(false);
      expect(await attempts.takenByOther('202', 'a')).toBe(false);
    } finally {
      await close();
    }
  });
});
