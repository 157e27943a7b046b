import type { RedisConnection } from './connect.ts';
import type { Schedule } from '../../schedule/schedule.ts';
import type { CharacterLimit as CharacterLimitPort, CharacterLimitSource } from '../../core/ports/character-limit.ts';
import { startingCharacterLimit } from '../../core/starting-character-limit.ts';

/**
 * The longest toot the primary instance accepts. Read from the instance when
 * it answers and kept in Redis, so that a start while the instance is down
 * uses the last value it told us (see startingCharacterLimit).
 */
export class CharacterLimit implements CharacterLimitPort {
  private constructor(
    private readonly redis: RedisConnection,
    private readonly key: string,
    private current: number,
    private origin: CharacterLimitSource,
  ) {}

  static async load(redis: RedisConnection, prefix: string, schedules: Iterable<Pick<Schedule, 'maxCharacters'>>): Promise<CharacterLimit> {
    const key = `${prefix}:instance:max-characters`;
    const stored = await redis.get(key);
    const { value, source } = startingCharacterLimit(stored === null ? null : Number(stored), schedules);
    return new CharacterLimit(redis, key, value, source);
  }

  get value(): number {
    return this.current;
  }

  get source(): CharacterLimitSource {
    return this.origin;
  }

  /** The instance told us its limit: use it from now on, and remember it for the next start. */
  async update(value: number): Promise<void> {
    this.current = value;
    this.origin = 'instance';
    await this.redis.set(this.key, String(value));
  }
}
