import type { DateTime } from 'luxon';
import type { Phase, Progress, TaskStatus } from '../../schedule/progress.ts';
import type { Schedule } from '../../schedule/schedule.ts';
import type { AccountRole } from './mastodon-account.ts';

/** A toot Herold has posted (or deliberately skipped), as recorded right after the POST. */
export interface PostedToot {
  readonly statusId: string | null;
  readonly url: string | null;
  /** ISO time it was posted or skipped. */
  readonly at: string;
  readonly account: AccountRole;
  /** Set when the toot was deliberately not posted (e.g. a reminder more than the grace period late). */
  readonly skipped?: string;
  /** The text as posted (the feed shows it); absent for a toot adopted after a crash, and in older records. */
  readonly text?: string;
}

/** What an edit of the progress toot made it say, and when (ISO). */
export interface EditedText {
  readonly text: string;
  readonly at: string;
}

export interface FailureRecord {
  readonly tootId: string;
  readonly at: string;
  readonly message: string;
}

export interface TaskEvent {
  readonly taskId: string;
  readonly status: TaskStatus;
  readonly at: string;
  readonly note: string | null;
}

/** The progress and the state version it belongs to, read together. */
export interface ProgressSnapshot {
  readonly progress: Progress;
  readonly version: number;
}

/**
 * What each account's progress toot shows and when the next edit may go out:
 * Operations reads it to place an edit, the Processor writes it once the edit
 * is made (src/core/progress-edits.ts decides from it).
 */
export interface EditBookkeeping {
  /** The state version each account's progress toot shows; null before that account's start toot. */
  readonly shown: { readonly primary: number | null; readonly fallback: number | null };
  /** Real epoch ms of the last edit of the primary's progress toot; null before the first. */
  readonly lastEditAt: number | null;
  /** Real epoch ms for which the next edit is planned; null before the first task change. */
  readonly editDueAt: number | null;
}

/** The state of each maintenance: progress, posted toots, failures, edit bookkeeping and a short lock. */
export interface StateStore {
  progress(schedule: Schedule): Promise<Progress>;
  /** The progress and its version in one read: a change landing between two reads would be shown but recorded as not shown. */
  snapshot(schedule: Schedule): Promise<ProgressSnapshot>;
  /** Records a task change and returns the new version; null, and nothing recorded, when the phase is one of `refuseIn` (same step). */
  setTask(scheduleId: string, event: TaskEvent, refuseIn?: readonly Phase[]): Promise<number | null>;
  /** A check saw the task done and asks the operator to confirm ("bereit"). */
  markReady(scheduleId: string, taskId: string, at: string): Promise<void>;
  /** Task id → when its check marked it ready (ISO). */
  ready(scheduleId: string): Promise<Record<string, string>>;
  events(scheduleId: string): Promise<TaskEvent[]>;
  version(scheduleId: string): Promise<number>;
  /**
   * Moves to `phase` if the current phase is one of `from`, atomically; true when it did. With `endedAt`
   * (an outcome: complete or back-out) it also records when, and counts as a new state version.
   */
  transition(scheduleId: string, phase: Phase, from: readonly Phase[], endedAt?: DateTime | null): Promise<boolean>;
  /** Sets the deadline in force and returns the new state version (the progress toot shows the deadline). */
  setDeadline(scheduleId: string, deadline: DateTime): Promise<number>;

  edits(scheduleId: string): Promise<EditBookkeeping>;
  /** `account`'s progress toot now shows `version`; `editedAt` (real epoch ms) for an edit of the primary's, absent for the start toot itself. */
  recordShown(scheduleId: string, account: AccountRole, version: number, editedAt?: number): Promise<void>;
  /** The text `account`'s progress toot shows after an edit, for the feed. */
  recordEditedText(scheduleId: string, account: AccountRole, edited: EditedText): Promise<void>;
  /** The last edited text of each account's progress toot; none before the first edit. */
  editedTexts(scheduleId: string): Promise<Partial<Record<AccountRole, EditedText>>>;
  /** The next edit is planned for `dueAt` (real epoch ms). */
  planEdit(scheduleId: string, dueAt: number): Promise<void>;
  /** The start time the followers were last told (ISO), to notice a moved date; null before the first announcement. */
  announcedStart(scheduleId: string): Promise<string | null>;
  recordAnnouncedStart(scheduleId: string, start: string): Promise<void>;

  posted(scheduleId: string, tootId: string, account?: AccountRole): Promise<PostedToot | null>;
  /** Stores the status id right after the POST returns; the first record wins, false for a second. */
  recordPosted(scheduleId: string, tootId: string, toot: PostedToot): Promise<boolean>;
  allPosted(scheduleId: string): Promise<(PostedToot & { tootId: string })[]>;
  recordFailure(scheduleId: string, failure: FailureRecord): Promise<void>;
  failures(scheduleId: string): Promise<FailureRecord[]>;
  /**
   * Runs `fn` while holding a short lock named `name` (lives `ttlMs`, renewed
   * while `fn` runs); `fn` is told whether the lock is still held. Undefined,
   * and `fn` not run, when another holder has it.
   */
  withLock<T>(scheduleId: string, name: string, ttlMs: number, fn: (stillHeld: () => boolean) => Promise<T>): Promise<T | undefined>;
  /** Removes everything about a schedule (tests and `herold reset`). */
  clear(scheduleId: string): Promise<void>;
}
