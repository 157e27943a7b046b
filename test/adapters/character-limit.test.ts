import { MemoryCharacterLimit, type CharacterLimitMemory } from '../../src/adapters/memory/memory-character-limit.ts';
import { CharacterLimit } from '../../src/adapters/redis/character-limit.ts';
import { characterLimitContract, type OpenLimit } from './character-limit.contract.ts';
import { inMemory, onFreshPrefix } from './store-fixture.ts';

characterLimitContract('Redis', () =>
  onFreshPrefix<OpenLimit>((redis, prefix) => (schedules) => CharacterLimit.load(redis, prefix, schedules)),
);
characterLimitContract('memory', () => {
  const memory: CharacterLimitMemory = { stored: null };
  return inMemory<OpenLimit>(async (schedules) => MemoryCharacterLimit.load(memory, schedules));
});
