import type { CharacterLimit, CharacterLimitSource } from '../../core/ports/character-limit.ts';
import { startingCharacterLimit } from '../../core/starting-character-limit.ts';
import type { Schedule } from '../../schedule/schedule.ts';

/** What a "restart" keeps: the limit the instance told us last. */
export interface CharacterLimitMemory {
  stored: number | null;
}

/** The character limit in memory: same contract as the Redis one (test/adapters/character-limit.contract.ts). */
export class MemoryCharacterLimit implements CharacterLimit {
  private constructor(
    private readonly memory: CharacterLimitMemory,
    private current: number,
    private origin: CharacterLimitSource,
  ) {}

  static load(memory: CharacterLimitMemory, schedules: Iterable<Pick<Schedule, 'maxCharacters'>>): MemoryCharacterLimit {
    const { value, source } = startingCharacterLimit(memory.stored, schedules);
    return new MemoryCharacterLimit(memory, value, source);
  }

  get value(): number {
    return this.current;
  }

  get source(): CharacterLimitSource {
    return this.origin;
  }

  async update(value: number): Promise<void> {
    this.current = value;
    this.origin = 'instance';
    this.memory.stored = value;
  }
}
