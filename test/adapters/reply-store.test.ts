import { MemoryReplyStore } from '../../src/adapters/memory/memory-reply-store.ts';
import { ReplyStore } from '../../src/adapters/redis/reply-store.ts';
import { inMemory, onFreshPrefix } from './store-fixture.ts';
import { replyStoreContract } from './reply-store.contract.ts';

replyStoreContract('Redis', () => onFreshPrefix((redis, prefix) => new ReplyStore(redis, prefix)));
replyStoreContract('memory', () => inMemory(new MemoryReplyStore()));
