import type { DateTime } from 'luxon';

/**
 * The names of a schedule's toots, in one place: the toot id (the
 * exactly-once key in state and in job ids) and the Idempotency-Key sent
 * with each POST. Everything that builds or reads one (planning, the worker,
 * operator commands, the rehearsal, tests) uses these. Pure.
 */

/** A compact UTC stamp: BullMQ forbids ":" in custom job ids, so ids use dots and these. */
export function stamp(at: DateTime): string {
  return at.toUTC().toFormat("yyyyMMdd'T'HHmmss'Z'");
}

/** A reminder belongs to one window start: moving the window makes it a new toot. */
export const reminderTootId = (reminderId: string, windowStart: DateTime): string => `${reminderId}@${stamp(windowStart)}`;

/** The notice that the window moved, once per new start. */
export const dateChangedTootId = (newStart: DateTime): string => `date-changed@${stamp(newStart)}`;

export const milestoneTootId = (taskId: string): string => `milestone-${taskId}`;

/** The reply saying the deadline moved: one per new deadline, so repeating the same extend posts nothing new. */
export const deadlineMovedTootId = (deadline: DateTime): string => `deadline-moved@${stamp(deadline)}`;

/** The correction of a milestone reply whose task failed after all: once per milestone. */
export const correctionTootId = (taskId: string): string => `correction-${taskId}`;

/** Part `index` (0-based) of a toot too long for one status; the first part is the toot itself. */
export const threadPartId = (tootId: string, index: number): string => (index === 0 ? tootId : `${tootId}.${index + 1}`);

export type PostingAccount = 'primary' | 'fallback';

/** Every Idempotency-Key of a schedule's toots starts with this (replies to questions use `herold.reply.`). */
export const postKeyPrefix = (scheduleId: string): string => `herold.${scheduleId}.`;

/** The Idempotency-Key of one toot part on one account; also the key of its "maybe posted" marker. */
export const postKey = (schedule: { readonly id: string }, partId: string, role: PostingAccount = 'primary'): string => `${postKeyPrefix(schedule.id)}${partId}.${role}`;

/** The toot (part) id in a schedule's Idempotency-Key, or null when the key is not one of the schedule's. */
export function tootIdOfPostKey(key: string | null | undefined, scheduleId: string): string | null {
  const prefix = postKeyPrefix(scheduleId);
  if (!key?.startsWith(prefix)) return null;
  return key.slice(prefix.length).replace(/\.(primary|fallback)$/, '');
}

/** The Idempotency-Key of the answer to one question (a mention notification). */
export const replyPostKey = (notificationId: string): string => `herold.reply.${notificationId}`;

/** The Idempotency-Key of the one "we are back" DM to a follower who asked to be told (per schedule and account). */
export const notifyPostKey = (scheduleId: string, accountId: string): string => `herold.notify.${scheduleId}.${accountId}`;
