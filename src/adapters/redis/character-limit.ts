import type { RedisConnection } from './connect.ts';
import type { Schedule } from '../../schedule/schedule.ts';
import { KeptCharacterLimit, startingCharacterLimit } from '../../core/kept-character-limit.ts';

/**
 * The longest toot the primary instance accepts. Read from the instance when
 * it answers and kept in Redis, so that a start while the instance is down
 * uses the last value it told us (see startingCharacterLimit).
 */
export class CharacterLimit extends KeptCharacterLimit {
  private constructor(
    private readonly redis: RedisConnection,
    private readonly key: string,
    start: ReturnType<typeof startingCharacterLimit>,
  ) {
    super(start);
  }

  static async load(redis: RedisConnection, prefix: string, schedules: Iterable<Pick<Schedule, 'maxCharacters'>>): Promise<CharacterLimit> {
    const key = `${prefix}:instance:max-characters`;
    const stored = await redis.get(key);
    return new CharacterLimit(redis, key, startingCharacterLimit(stored === null ? null : Number(stored), schedules));
  }

  protected async keep(value: number): Promise<void> {
    await this.redis.set(this.key, String(value));
  }
}
