import type { RedisConnection } from './connect.ts';
import { releaseLock, renewLock, takeLock } from './token-lock.ts';
import { DateTime } from 'luxon';
import { PHASES, TASK_STATUSES, type Phase, type Progress, type TaskProgress, type TaskStatus } from '../../schedule/progress.ts';
import type { Schedule } from '../../schedule/schedule.ts';
import type { AccountRole } from '../../core/ports/mastodon-account.ts';
import type { EditBookkeeping, EditedText, FailureRecord, PostedToot, ProgressSnapshot, StateStore as StateStorePort, TaskEvent } from '../../core/ports/state-store.ts';

export type { FailureRecord, PostedToot, TaskEvent } from '../../core/ports/state-store.ts';

// Moves the phase only from one of the allowed phases (ARGV[3..]), atomically,
// so that a deadline and a last task finishing at the same moment cannot both
// win. An outcome (ARGV[2] a time) records when it came and is a new state
// version: the progress toot shows its final state.
const TRANSITION = `
local current = redis.call('HGET', KEYS[1], 'phase') or 'announced'
for i = 3, #ARGV do
  if ARGV[i] == current then
    redis.call('HSET', KEYS[1], 'phase', ARGV[1])
    if ARGV[2] ~= '' then
      redis.call('HSET', KEYS[1], 'endedAt', ARGV[2])
      redis.call('HINCRBY', KEYS[1], 'version', 1)
    end
    return 1
  end
end
return 0
`;

// Records a task change unless the phase is one of ARGV[4..]; -1 when refused.
const SET_TASK = `
local phase = redis.call('HGET', KEYS[3], 'phase') or 'announced'
for i = 4, #ARGV do
  if ARGV[i] == phase then return -1 end
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('RPUSH', KEYS[2], ARGV[3])
return redis.call('HINCRBY', KEYS[3], 'version', 1)
`;

// Records a posted toot and appends it to the log in one step: a worker killed
// between the two would leave a toot that `herold status` never lists.
const RECORD_POSTED = `
if redis.call('HSETNX', KEYS[1], ARGV[1], ARGV[2]) == 1 then
  redis.call('RPUSH', KEYS[2], ARGV[3])
  return 1
end
return 0
`;


/**
 * The state of each maintenance in Redis, under the same hash-tagged prefix
 * as the queue so that one Redis Cluster slot holds everything.
 */
export class StateStore implements StateStorePort {
  constructor(
    private readonly redis: RedisConnection,
    private readonly prefix = '{herold}',
  ) {}

  private key(scheduleId: string, part: string) {
    return `${this.prefix}:state:${scheduleId}:${part}`;
  }

  async progress(schedule: Schedule): Promise<Progress> {
    return (await this.snapshot(schedule)).progress;
  }

  /**
   * The progress and the state version it belongs to, read in one MULTI: a
   * change landing between two separate reads would be shown but recorded as
   * not shown, and cost an identical extra edit.
   */
  async snapshot(schedule: Schedule): Promise<ProgressSnapshot> {
    const meta = this.key(schedule.id, 'meta');
    const results = await this.redis.multi().hgetall(this.key(schedule.id, 'tasks')).hmget(meta, 'phase', 'deadline', 'version', 'endedAt').exec();
    const [tasksError, tasks] = results![0]! as [Error | null, Record<string, string>];
    const [metaError, fields] = results![1]! as [Error | null, (string | null)[]];
    if (tasksError ?? metaError) throw tasksError ?? metaError;
    const zone = schedule.timezone;
    const taskStates: Record<string, TaskProgress> = {};
    for (const task of schedule.tasks) {
      const raw = tasks[task.id];
      const parsed = raw ? (JSON.parse(raw) as { status: TaskStatus; changedAt: string; note: string | null }) : null;
      taskStates[task.id] =
        parsed && TASK_STATUSES.includes(parsed.status)
          ? { status: parsed.status, changedAt: DateTime.fromISO(parsed.changedAt, { zone }), note: parsed.note }
          : { status: 'pending', changedAt: null, note: null };
    }
    const phase = PHASES.includes(fields[0] as Phase) ? (fields[0] as Phase) : 'announced';
    const deadline = fields[1] ? DateTime.fromISO(fields[1], { zone }) : schedule.window.deadline;
    const endedAt = fields[3] ? DateTime.fromISO(fields[3], { zone }) : null;
    return { progress: { phase, tasks: taskStates, deadline, endedAt }, version: Number(fields[2] ?? 0) };
  }

  /**
   * Records a task change and returns the new state version; null, and
   * nothing recorded, when the phase is one of `refuseIn` (checked in the same
   * step, so an outcome declared a moment earlier always wins).
   */
  async setTask(scheduleId: string, event: TaskEvent, refuseIn: readonly Phase[] = []): Promise<number | null> {
    const version = await this.redis.eval(
      SET_TASK,
      3,
      this.key(scheduleId, 'tasks'),
      this.key(scheduleId, 'events'),
      this.key(scheduleId, 'meta'),
      event.taskId,
      JSON.stringify({ status: event.status, changedAt: event.at, note: event.note }),
      JSON.stringify(event),
      ...refuseIn,
    );
    return version === -1 ? null : Number(version);
  }

  /** A check saw the task done and asks the operator to confirm ("bereit"); nothing is posted for it. */
  async markReady(scheduleId: string, taskId: string, at: string): Promise<void> {
    await this.redis.hset(this.key(scheduleId, 'ready'), taskId, at);
  }

  /** Task id → when its check marked it ready (ISO). */
  async ready(scheduleId: string): Promise<Record<string, string>> {
    return this.redis.hgetall(this.key(scheduleId, 'ready'));
  }

  async events(scheduleId: string): Promise<TaskEvent[]> {
    return (await this.redis.lrange(this.key(scheduleId, 'events'), 0, -1)).map((e) => JSON.parse(e) as TaskEvent);
  }

  async version(scheduleId: string): Promise<number> {
    return Number((await this.redis.hget(this.key(scheduleId, 'meta'), 'version')) ?? 0);
  }

  /**
   * Moves to `phase` if the current phase is one of `from`; true when it did.
   * With `endedAt` (an outcome: complete or back-out) it also records when,
   * and counts as a new state version, so the progress toot is edited to it.
   */
  async transition(scheduleId: string, phase: Phase, from: readonly Phase[], endedAt: DateTime | null = null): Promise<boolean> {
    return (await this.redis.eval(TRANSITION, 1, this.key(scheduleId, 'meta'), phase, endedAt?.toISO() ?? '', ...from)) === 1;
  }

  /** Sets the deadline in force and returns the new state version (the progress toot shows the deadline). */
  async setDeadline(scheduleId: string, deadline: DateTime): Promise<number> {
    const meta = this.key(scheduleId, 'meta');
    const result = await this.redis.multi().hset(meta, 'deadline', deadline.toISO()!).hincrby(meta, 'version', 1).exec();
    const [error, version] = result![1]!;
    if (error) throw error;
    return Number(version);
  }


  // The edit bookkeeping lives in the meta hash beside phase, deadline and version.
  async edits(scheduleId: string): Promise<EditBookkeeping> {
    const [primary, fallback, lastEditAt, editDueAt] = await this.redis.hmget(this.key(scheduleId, 'meta'), 'editedVersion', 'fallbackEditedVersion', 'lastEditAt', 'editDueAt');
    const number = (raw: string | null | undefined) => (raw === null || raw === undefined ? null : Number(raw));
    return { shown: { primary: number(primary), fallback: number(fallback) }, lastEditAt: number(lastEditAt), editDueAt: number(editDueAt) };
  }

  async recordShown(scheduleId: string, account: AccountRole, version: number, editedAt?: number): Promise<void> {
    const fields: Record<string, string> = { [account === 'primary' ? 'editedVersion' : 'fallbackEditedVersion']: String(version) };
    if (editedAt !== undefined && account === 'primary') fields.lastEditAt = String(editedAt);
    await this.redis.hset(this.key(scheduleId, 'meta'), fields);
  }

  async recordEditedText(scheduleId: string, account: AccountRole, edited: EditedText): Promise<void> {
    await this.redis.hset(this.key(scheduleId, 'meta'), `editedText:${account}`, JSON.stringify(edited));
  }

  async editedTexts(scheduleId: string): Promise<Partial<Record<AccountRole, EditedText>>> {
    const [primary, fallback] = await this.redis.hmget(this.key(scheduleId, 'meta'), 'editedText:primary', 'editedText:fallback');
    return { ...(primary ? { primary: JSON.parse(primary) as EditedText } : {}), ...(fallback ? { fallback: JSON.parse(fallback) as EditedText } : {}) };
  }

  async planEdit(scheduleId: string, dueAt: number): Promise<void> {
    await this.redis.hset(this.key(scheduleId, 'meta'), 'editDueAt', String(dueAt));
  }

  async announcedStart(scheduleId: string): Promise<string | null> {
    return this.redis.hget(this.key(scheduleId, 'meta'), 'announcedStart');
  }

  async recordAnnouncedStart(scheduleId: string, start: string): Promise<void> {
    await this.redis.hset(this.key(scheduleId, 'meta'), 'announcedStart', start);
  }

  async posted(scheduleId: string, tootId: string, account: AccountRole = 'primary'): Promise<PostedToot | null> {
    const raw = await this.redis.hget(this.key(scheduleId, account === 'primary' ? 'posted' : 'fallback'), tootId);
    return raw ? (JSON.parse(raw) as PostedToot) : null;
  }

  /**
   * Stores the status id right after the POST returns, before the job is
   * marked complete. HSETNX: the first record wins, a second is a bug we refuse.
   */
  async recordPosted(scheduleId: string, tootId: string, toot: PostedToot): Promise<boolean> {
    const hash = this.key(scheduleId, toot.account === 'primary' ? 'posted' : 'fallback');
    return (await this.redis.eval(RECORD_POSTED, 2, hash, this.key(scheduleId, 'log'), tootId, JSON.stringify(toot), JSON.stringify({ tootId, ...toot }))) === 1;
  }

  async allPosted(scheduleId: string): Promise<(PostedToot & { tootId: string })[]> {
    return (await this.redis.lrange(this.key(scheduleId, 'log'), 0, -1)).map((e) => JSON.parse(e) as PostedToot & { tootId: string });
  }

  async recordFailure(scheduleId: string, failure: FailureRecord): Promise<void> {
    await this.redis.rpush(this.key(scheduleId, 'failures'), JSON.stringify(failure));
  }

  async failures(scheduleId: string): Promise<FailureRecord[]> {
    return (await this.redis.lrange(this.key(scheduleId, 'failures'), 0, -1)).map((e) => JSON.parse(e) as FailureRecord);
  }

  /**
   * A short lock so that only one worker at a time edits a schedule's progress
   * toot; otherwise an older render could land after a newer one. It lives
   * `ttlMs` and is renewed every third of that while `fn` runs, so a holder
   * killed with SIGKILL blocks the others for at most `ttlMs`, while a slow
   * edit keeps it. `fn` is told whether the lock is still held (a holder
   * stalled longer than `ttlMs` may have lost it). Undefined when busy.
   */
  async withLock<T>(scheduleId: string, name: string, ttlMs: number, fn: (stillHeld: () => boolean) => Promise<T>): Promise<T | undefined> {
    const key = this.key(scheduleId, `lock:${name}`);
    const token = `${process.pid}-${Math.random()}`;
    if (!(await takeLock(this.redis, key, token, ttlMs))) return undefined;
    let held = true;
    const renew = setInterval(() => {
      renewLock(this.redis, key, token, ttlMs).then(
        (ok) => {
          if (!ok) held = false;
        },
        () => undefined,
      );
    }, Math.max(50, Math.floor(ttlMs / 3)));
    try {
      return await fn(() => held);
    } finally {
      clearInterval(renew);
      await releaseLock(this.redis, key, token);
    }
  }

  /** Removes everything about a schedule (tests and `herold reset`). */
  async clear(scheduleId: string): Promise<void> {
    const keys = await this.redis.keys(`${this.prefix}:state:${scheduleId}:*`);
    if (keys.length > 0) await this.redis.del(...keys);
  }
}
