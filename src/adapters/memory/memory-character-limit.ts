import { KeptCharacterLimit, startingCharacterLimit } from '../../core/kept-character-limit.ts';
import type { Schedule } from '../../schedule/schedule.ts';

/** What a "restart" keeps: the limit the instance told us last. */
export interface CharacterLimitMemory {
  stored: number | null;
}

/** The character limit in memory: same contract as the Redis one (test/adapters/character-limit.contract.ts). */
export class MemoryCharacterLimit extends KeptCharacterLimit {
  private constructor(
    private readonly memory: CharacterLimitMemory,
    start: ReturnType<typeof startingCharacterLimit>,
  ) {
    super(start);
  }

  static load(memory: CharacterLimitMemory, schedules: Iterable<Pick<Schedule, 'maxCharacters'>>): MemoryCharacterLimit {
    return new MemoryCharacterLimit(memory, startingCharacterLimit(memory.stored, schedules));
  }

  protected async keep(value: number): Promise<void> {
    this.memory.stored = value;
  }
}
