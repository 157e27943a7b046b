import { MemoryCheckStore } from '../../src/adapters/memory/memory-check-store.ts';
import { CheckStore } from '../../src/adapters/redis/check-store.ts';
import { checkStoreContract } from './check-store.contract.ts';
import { inMemory, onFreshPrefix } from './store-fixture.ts';

checkStoreContract('Redis', () => onFreshPrefix((redis, prefix) => new CheckStore(redis, prefix)));
checkStoreContract('memory', () => inMemory(new MemoryCheckStore()));
