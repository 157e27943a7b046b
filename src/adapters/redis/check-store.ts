import type { RedisConnection } from './connect.ts';
import type { CheckKind, ResolverAnswer } from '../../checks/check-spec.ts';
import { NO_STREAK, type Streak } from '../../checks/check-streak.ts';

/** What Herold knows about one task's check, as stored in Redis after each run. */
export interface CheckRecord {
  readonly taskId: string;
  readonly kind: CheckKind;
  /** What it looks at, in one line. */
  readonly target: string;
  /** The last run (ISO, on the schedule's clock); null before the first. */
  readonly checkedAt: string | null;
  /** The last single result and what it saw. */
  readonly ok: boolean | null;
  readonly summary: string | null;
  readonly streak: Streak;
  /** DNS: each resolver's last answer. */
  readonly resolvers: readonly ResolverAnswer[] | null;
  /** DNS: when a resolver first saw the new address. */
  readonly firstSeenAt: string | null;
  /** What the check did to its task, and when. */
  readonly acted: { readonly action: 'ready' | 'done'; readonly at: string } | null;
  /** The run's sequence number in its chain of scheduled jobs. */
  readonly seq: number;
  /** Why the check stopped looking, once it has. */
  readonly stopped: string | null;
}

/** One turn of the verdict, kept as a log. */
export interface CheckChange {
  readonly at: string;
  readonly passing: boolean;
  readonly summary: string;
}

export function emptyRecord(taskId: string, kind: CheckKind, target: string): CheckRecord {
  return { taskId, kind, target, checkedAt: null, ok: null, summary: null, streak: NO_STREAK, resolvers: null, firstSeenAt: null, acted: null, seq: -1, stopped: null };
}

/**
 * Check results in Redis, beside the schedule's state (same hash-tagged
 * prefix, under state:<schedule>: so `herold reset` clears them too).
 */
export class CheckStore {
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
