import type { RedisConnection } from './connect.ts';
import type { CheckChange, CheckRecord } from '../../checks/check-record.ts';
import type { CheckResults } from '../../core/ports/check-results.ts';

/**
 * Check results in Redis, beside the schedule's state (same hash-tagged
 * prefix, under state:<schedule>: so `herold reset` clears them too).
 */
export class CheckStore implements CheckResults {
  constructor(
    private readonly redis: RedisConnection,
    private readonly prefix = '{herold}',
  ) {}

  private key(scheduleId: string, part: string) {
    return `${this.prefix}:state:${scheduleId}:${part}`;
  }

  async get(scheduleId: string, taskId: string): Promise<CheckRecord | null> {
    const raw = await this.redis.hget(this.key(scheduleId, 'checks'), taskId);
    return raw ? (JSON.parse(raw) as CheckRecord) : null;
  }

  async all(scheduleId: string): Promise<Map<string, CheckRecord>> {
    const raw = await this.redis.hgetall(this.key(scheduleId, 'checks'));
    return new Map(Object.entries(raw).map(([taskId, json]) => [taskId, JSON.parse(json) as CheckRecord]));
  }

  /** Saves the record, and logs the change in one step when the verdict turned. */
  async save(scheduleId: string, record: CheckRecord, change?: CheckChange): Promise<void> {
    const multi = this.redis.multi().hset(this.key(scheduleId, 'checks'), record.taskId, JSON.stringify(record));
    if (change) multi.rpush(this.key(scheduleId, `checklog:${record.taskId}`), JSON.stringify(change));
    const results = await multi.exec();
    for (const [error] of results ?? []) if (error) throw error;
  }

  async changes(scheduleId: string, taskId: string): Promise<CheckChange[]> {
    return (await this.redis.lrange(this.key(scheduleId, `checklog:${taskId}`), 0, -1)).map((c) => JSON.parse(c) as CheckChange);
  }
}
