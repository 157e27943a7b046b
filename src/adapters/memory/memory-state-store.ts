import { DateTime } from 'luxon';
import type { AccountRole } from '../../core/ports/mastodon-account.ts';
import type { EditBookkeeping, EditedText, FailureRecord, PostedToot, ProgressSnapshot, StateStore, TaskEvent } from '../../core/ports/state-store.ts';
import type { Phase, Progress, TaskProgress } from '../../schedule/progress.ts';
import type { Schedule } from '../../schedule/schedule.ts';

interface ScheduleState {
  phase: Phase;
  version: number;
  /** ISO, as stored; null: the schedule's own deadline. */
  deadline: string | null;
  endedAt: string | null;
  tasks: Map<string, TaskEvent>;
  events: TaskEvent[];
  ready: Record<string, string>;
  posted: Map<string, PostedToot>;
  fallback: Map<string, PostedToot>;
  log: (PostedToot & { tootId: string })[];
  failures: FailureRecord[];
  edits: EditBookkeeping;
  editedTexts: Partial<Record<AccountRole, EditedText>>;
  announcedStart: string | null;
  /** Lock name → holder token and real expiry (epoch ms). */
  locks: Map<string, { token: number; until: number }>;
}

const fresh = (): ScheduleState => ({
  phase: 'announced',
  version: 0,
  deadline: null,
  endedAt: null,
  tasks: new Map(),
  events: [],
  ready: {},
  posted: new Map(),
  fallback: new Map(),
  log: [],
  failures: [],
  edits: { shown: { primary: null, fallback: null }, lastEditAt: null, editDueAt: null },
  editedTexts: {},
  announcedStart: null,
  locks: new Map(),
});

/**
 * The state store in memory, for unit tests of the use cases and for a
 * single process that needs no Redis. Same contract as the Redis store
 * (test/adapters/state-store.contract.ts runs against both); every method
 * runs without an await before its change, so each is atomic like a Lua script.
 */
export class MemoryStateStore implements StateStore {
  private readonly schedules = new Map<string, ScheduleState>();
  private nextToken = 0;

  constructor(private readonly realNowMs: () => number = Date.now) {}

  private state(scheduleId: string): ScheduleState {
    let state = this.schedules.get(scheduleId);
    if (!state) this.schedules.set(scheduleId, (state = fresh()));
    return state;
  }

  async progress(schedule: Schedule): Promise<Progress> {
    return (await this.snapshot(schedule)).progress;
  }

  async snapshot(schedule: Schedule): Promise<ProgressSnapshot> {
    const state = this.state(schedule.id);
    const zone = schedule.timezone;
    const tasks: Record<string, TaskProgress> = {};
    for (const task of schedule.tasks) {
      const event = state.tasks.get(task.id);
      tasks[task.id] = event ? { status: event.status, changedAt: DateTime.fromISO(event.at, { zone }), note: event.note } : { status: 'pending', changedAt: null, note: null };
    }
    const deadline = state.deadline ? DateTime.fromISO(state.deadline, { zone }) : schedule.window.deadline;
    const endedAt = state.endedAt ? DateTime.fromISO(state.endedAt, { zone }) : null;
    return { progress: { phase: state.phase, tasks, deadline, endedAt }, version: state.version };
  }

  async setTask(scheduleId: string, event: TaskEvent, refuseIn: readonly Phase[] = []): Promise<number | null> {
    const state = this.state(scheduleId);
    if (refuseIn.includes(state.phase)) return null;
    state.tasks.set(event.taskId, event);
    state.events.push(event);
    return (state.version += 1);
  }

  async markReady(scheduleId: string, taskId: string, at: string): Promise<void> {
    this.state(scheduleId).ready[taskId] = at;
  }

  async ready(scheduleId: string): Promise<Record<string, string>> {
    return { ...this.state(scheduleId).ready };
  }

  async events(scheduleId: string): Promise<TaskEvent[]> {
    return [...this.state(scheduleId).events];
  }

  async version(scheduleId: string): Promise<number> {
    return this.state(scheduleId).version;
  }

  async transition(scheduleId: string, phase: Phase, from: readonly Phase[], endedAt: DateTime | null = null): Promise<boolean> {
    const state = this.state(scheduleId);
    if (!from.includes(state.phase)) return false;
    state.phase = phase;
    if (endedAt) {
      state.endedAt = endedAt.toISO()!;
      state.version += 1;
    }
    return true;
  }

  async setDeadline(scheduleId: string, deadline: DateTime): Promise<number> {
    const state = this.state(scheduleId);
    state.deadline = deadline.toISO()!;
    return (state.version += 1);
  }

  async edits(scheduleId: string): Promise<EditBookkeeping> {
    return this.state(scheduleId).edits;
  }

  async recordShown(scheduleId: string, account: AccountRole, version: number, editedAt?: number): Promise<void> {
    const state = this.state(scheduleId);
    const { shown, lastEditAt } = state.edits;
    state.edits = {
      ...state.edits,
      shown: { ...shown, [account]: version },
      lastEditAt: editedAt !== undefined && account === 'primary' ? editedAt : lastEditAt,
    };
  }

  async recordEditedText(scheduleId: string, account: AccountRole, edited: EditedText): Promise<void> {
    const state = this.state(scheduleId);
    state.editedTexts = { ...state.editedTexts, [account]: { ...edited } };
  }

  async editedTexts(scheduleId: string): Promise<Partial<Record<AccountRole, EditedText>>> {
    return { ...this.state(scheduleId).editedTexts };
  }

  async planEdit(scheduleId: string, dueAt: number): Promise<void> {
    const state = this.state(scheduleId);
    state.edits = { ...state.edits, editDueAt: dueAt };
  }

  async announcedStart(scheduleId: string): Promise<string | null> {
    return this.state(scheduleId).announcedStart;
  }

  async recordAnnouncedStart(scheduleId: string, start: string): Promise<void> {
    this.state(scheduleId).announcedStart = start;
  }

  async posted(scheduleId: string, tootId: string, account: AccountRole = 'primary'): Promise<PostedToot | null> {
    const state = this.state(scheduleId);
    return (account === 'primary' ? state.posted : state.fallback).get(tootId) ?? null;
  }

  async recordPosted(scheduleId: string, tootId: string, toot: PostedToot): Promise<boolean> {
    const state = this.state(scheduleId);
    const records = toot.account === 'primary' ? state.posted : state.fallback;
    if (records.has(tootId)) return false;
    records.set(tootId, toot);
    state.log.push({ tootId, ...toot });
    return true;
  }

  async allPosted(scheduleId: string): Promise<(PostedToot & { tootId: string })[]> {
    return [...this.state(scheduleId).log];
  }

  async recordFailure(scheduleId: string, failure: FailureRecord): Promise<void> {
    this.state(scheduleId).failures.push(failure);
  }

  async failures(scheduleId: string): Promise<FailureRecord[]> {
    return [...this.state(scheduleId).failures];
  }

  async withLock<T>(scheduleId: string, name: string, ttlMs: number, fn: (stillHeld: () => boolean) => Promise<T>): Promise<T | undefined> {
    const locks = this.state(scheduleId).locks;
    const held = locks.get(name);
    if (held && held.until > this.realNowMs()) return undefined;
    const token = (this.nextToken += 1);
    locks.set(name, { token, until: this.realNowMs() + ttlMs });
    // In one process the holder cannot stall unseen: the lock lasts until fn returns.
    const mine = () => locks.get(name)?.token === token;
    const renew = setInterval(() => {
      if (mine()) locks.set(name, { token, until: this.realNowMs() + ttlMs });
    }, Math.max(50, Math.floor(ttlMs / 3)));
    try {
      return await fn(mine);
    } finally {
      clearInterval(renew);
      if (mine()) locks.delete(name);
    }
  }

  async clear(scheduleId: string): Promise<void> {
    this.schedules.delete(scheduleId);
  }
}
