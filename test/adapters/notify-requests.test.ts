import { MemoryNotifyRequests } from '../../src/adapters/memory/memory-notify-requests.ts';
import { NotifyStore } from '../../src/adapters/redis/notify-store.ts';
import { notifyRequestsContract } from './notify-requests.contract.ts';
import { inMemory, onFreshPrefix } from './store-fixture.ts';

notifyRequestsContract('Redis', () => onFreshPrefix((redis, prefix) => new NotifyStore(redis, prefix)));
notifyRequestsContract('memory', () => inMemory(new MemoryNotifyRequests()));
