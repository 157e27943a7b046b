/** Fixtures for the stores' contract suites: a store and how to close it. */
import { connectOrExplain, redisConnection, type RedisConnection } from '../../src/adapters/redis/connect.ts';
import { deletePrefix } from '../../src/adapters/redis/delete-prefix.ts';
import { REDIS_URL, uniqueId } from '../support/harness.ts';

export interface StoreFixture<T> {
  readonly store: T;
  close(): Promise<void>;
}

/** Runs each test on a store of its own, closed afterwards also when the test fails. */
export function eachOnItsOwn<T>(make: () => Promise<StoreFixture<T>>) {
  return async (fn: (store: T) => Promise<void>): Promise<void> => {
    const fixture = await make();
    try {
      await fn(fixture.store);
    } finally {
      await fixture.close();
    }
  };
}

/** A Redis store on a fresh prefix; close() deletes the prefix's keys and quits. */
export async function onFreshPrefix<T>(make: (redis: RedisConnection, prefix: string) => T): Promise<StoreFixture<T>> {
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

/** A memory store: nothing to close. */
export async function inMemory<T>(store: T): Promise<StoreFixture<T>> {
  return { store, close: async () => undefined };
}
