/** A store on a fresh Redis prefix for a contract suite; close() deletes the prefix's keys and quits. */
import { connectOrExplain, redisConnection, type RedisConnection } from '../../src/adapters/redis/connect.ts';
import { deletePrefix } from '../../src/adapters/redis/delete-prefix.ts';
import { REDIS_URL, uniqueId } from '../support/harness.ts';

export async function onFreshPrefix<T>(make: (redis: RedisConnection, prefix: string) => T): Promise<{ store: T; close(): Promise<void> }> {
  const redis = redisConnection(REDIS_URL, 'producer');
  await connectOrExplain(redis, REDIS_URL);
  const prefix = `{${uniqueId('contract')}}`;
  return {
    store: make(redis, prefix),
    close: async () => {
      await deletePrefix(redis, prefix);
      await redis.quit();
    },
  };
}
