import type { DateTime } from 'luxon';
import type { Phase, TaskStatus } from '../schedule/progress.ts';
import type { ConfirmMode } from '../schedule/check-spec.ts';

/** What a check has done to its task so far. */
export interface CheckAction {
  readonly action: 'ready' | 'done';
  readonly at: DateTime;
}

export interface CheckSituation {
  readonly now: DateTime;
  readonly windowStart: DateTime;
  readonly phase: Phase;
  readonly task: { readonly status: TaskStatus; readonly changedAt: DateTime | null };
  readonly confirm: ConfirmMode;
  /** The check's verdict (after `passes` results in a row); null before the first. */
  readonly passing: boolean | null;
  readonly acted: CheckAction | null;
}

export type CheckDecision =
  /** Before window.start: do not even look. */
  | { readonly action: 'wait'; readonly reason: string }
  /** Nothing more for this check to do to its task. */
  | { readonly action: 'stop'; readonly reason: string }
  /** Keep looking; nothing to change now. */
  | { readonly action: 'none'; readonly reason: string }
  /** Mark the task "bereit" and ask the operator (confirm: ask). */
  | { readonly action: 'ready' }
  /** Mark the task done, as if the operator had said so (confirm: auto). */
  | { readonly action: 'done' };

const FINISHED_BY_OPERATOR: readonly TaskStatus[] = ['done', 'skipped', 'failed'];

/**
 * What a check's verdict does to its task. The rules: checks never act before
 * window.start nor after the outcome; a check only ever moves a task forward
 * (a failing check undoes nothing); the operator's word wins, so a task the
 * operator finished, failed or changed after the check acted is left alone.
 */
export function decide(s: CheckSituation): CheckDecision {
  if (s.now < s.windowStart) return { action: 'wait', reason: 'Prüfungen laufen erst ab dem Beginn des Wartungsfensters.' };
  if (s.phase === 'complete' || s.phase === 'backout' || s.phase === 'cancelled') return { action: 'stop', reason: `Die Wartung ist vorbei (${s.phase}).` };
  if (FINISHED_BY_OPERATOR.includes(s.task.status)) return { action: 'stop', reason: `Die Aufgabe ist schon ${s.task.status}.` };
  if (s.acted && s.task.changedAt && s.task.changedAt > s.acted.at) {
    return { action: 'stop', reason: 'Nach der Prüfung hat jemand die Aufgabe geändert; sein Wort gilt.' };
  }
  if (s.acted?.action === 'ready') return { action: 'none', reason: 'Bereit; wartet auf Bestätigung.' };
  if (s.passing !== true) return { action: 'none', reason: s.passing === false ? 'Die Prüfung schlägt fehl.' : 'Noch kein stabiles Ergebnis.' };
  return s.confirm === 'auto' ? { action: 'done' } : { action: 'ready' };
}
