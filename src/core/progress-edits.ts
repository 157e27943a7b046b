import type { AccountRole } from './ports/mastodon-account.ts';
import type { EditBookkeeping } from './ports/state-store.ts';

/**
 * When the progress toot is edited after a task change, and whether a
 * version still needs showing: the one place that reads the edit
 * bookkeeping (Operations plans an edit, the Processor makes it and records it).
 */

/**
 * Real epoch ms at which the edit for a change made at `nowMs` goes out.
 * Leading edge: a change after a quiet spell is shown at once; changes close
 * behind an edit wait for the rest of the interval and become one edit. The
 * slot is when the last edit was due, not when it finished: a burst arriving
 * before the first edit has gone out must not get one edit each.
 */
export function editDueAt(edits: EditBookkeeping, nowMs: number, intervalMs: number): number {
  const slot = Math.max(edits.editDueAt ?? 0, edits.lastEditAt ?? 0);
  if (slot > nowMs) return slot;
  return nowMs >= slot + intervalMs ? nowMs : slot + intervalMs;
}

/** True when the edit at `dueAt` is a new slot that must be recorded (not the one already planned). */
export function isNewSlot(edits: EditBookkeeping, dueAt: number): boolean {
  return dueAt !== Math.max(edits.editDueAt ?? 0, edits.lastEditAt ?? 0);
}

/** True when `account`'s progress toot does not show `version` yet. */
export function needsShowing(edits: EditBookkeeping, account: AccountRole, version: number): boolean {
  return (edits.shown[account] ?? -1) < version;
}
