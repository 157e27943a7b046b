import { BullJobSink } from '../../src/adapters/bullmq/bullmq-adapter.ts';
import { MemoryJobQueue } from '../../src/adapters/memory/memory-job-queue.ts';
import { connectOrExplain, redisConnection } from '../../src/adapters/redis/connect.ts';
import { REDIS_URL, uniqueId } from '../support/harness.ts';
import { jobQueueContract } from './job-queue.contract.ts';

jobQueueContract('BullMQ', async () => {
  const redis = redisConnection(REDIS_URL, 'producer');
  await connectOrExplain(redis, REDIS_URL);
  const queue = new BullJobSink(redis, `{${uniqueId('contract')}}`);
  return {
    queue,
    close: async () => {
      await queue.queue.obliterate({ force: true });
      await queue.close();
      await redis.quit();
    },
  };
});

jobQueueContract('memory', async () => ({ queue: new MemoryJobQueue(), close: async () => undefined }));
