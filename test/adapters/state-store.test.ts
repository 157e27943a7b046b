import { MemoryStateStore } from '../../src/adapters/memory/memory-state-store.ts';
import { connectOrExplain, redisConnection } from '../../src/adapters/redis/connect.ts';
import { StateStore } from '../../src/adapters/redis/state-store.ts';
import { REDIS_URL, uniqueId } from '../support/harness.ts';
import { stateStoreContract } from './state-store.contract.ts';

stateStoreContract('Redis', async () => {
  const redis = redisConnection(REDIS_URL, 'producer');
  await connectOrExplain(redis, REDIS_URL);
  return { store: new StateStore(redis, `{${uniqueId('contract')}}`), close: async () => void (await redis.quit()) };
});

stateStoreContract('memory', async () => ({ store: new MemoryStateStore(), close: async () => undefined }));
