import type { RedisConnection } from './connect.ts';
import { DEFAULT_MAX_CHARACTERS } from '../../schedule/load-schedule.ts';
import type { Schedule } from '../../schedule/schedule.ts';
import type { CharacterLimit as CharacterLimitPort, CharacterLimitSource } from '../../core/ports/character-limit.ts';


/**
 * The longest toot the primary instance accepts. Read from the instance when
 * it answers and kept in Redis, so that a start while the instance is down
 * uses the last value it told us; before it ever answered, the schedules'
 * maxCharacters (the smallest, if several are loaded), else 500.
 */
export class CharacterLimit implements CharacterLimitPort {
  private constructor(
    private readonly redis: RedisConnection,
    private readonly key: string,
    private current: number,
    private origin: CharacterLimitSource,
  ) {}

  static async load(redis: RedisConnection, prefix: string, schedules: Iterable<Schedule>): Promise<CharacterLimit> {
    const key = `${prefix}:instance:max-characters`;
    const stored = Number(await redis.get(key));
    if (Number.isInteger(stored) && stored > 0) return new CharacterLimit(redis, key, stored, 'stored');
    const fromSchedules = [...schedules].map((s) => s.maxCharacters);
    if (fromSchedules.length > 0) return new CharacterLimit(redis, key, Math.min(...fromSchedules), 'schedule');
    return new CharacterLimit(redis, key, DEFAULT_MAX_CHARACTERS, 'default');
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
