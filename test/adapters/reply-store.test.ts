import { MemoryReplyStore } from '../../src/adapters/memory/memory-reply-store.ts';
import { ReplyStore } from '../../src/adapters/redis/reply-store.ts';
import { onFreshPrefix } from './redis-fixture.ts';
import { replyStoreContract } from './reply-store.contract.ts';

replyStoreContract('Redis', () => onFreshPrefix((redis, prefix) => new ReplyStore(redis, prefix)));
replyStoreContract('memory', async () => ({ store: new MemoryReplyStore(), close: async () => undefined }));
