import type { Schedule } from '../schedule/schedule.ts';
import { milestoneTootId, reminderTootId } from '../schedule/toot-ids.ts';
import type { TranscriptEvent } from './observer.ts';
import type { RehearsalOutcome } from './outcome.ts';

/** Toots that should be out by the outcome, but are not (or went out twice). */
export function missingToots(schedule: Schedule, events: readonly TranscriptEvent[], outcome: RehearsalOutcome): string[] {
  const posted = events.flatMap((e) => (e.type === 'toot' && e.tootId ? [e.tootId] : []));
  const has = (id: string) => posted.includes(id);
  const problems: string[] = [];
  for (const e of events) {
    if (e.type === 'skipped') problems.push(`${e.tootId} wurde übersprungen (${e.reason})`);
    if (e.type === 'failure') problems.push(`${e.tootId} ist fehlgeschlagen: ${e.message}`);
    if (e.type === 'toot' && e.duplicate) problems.push(`${e.tootId ?? e.statusId} ging doppelt hinaus`);
  }
  if (outcome === 'unfinished' || outcome === 'aborted' || outcome === 'cancelled') return problems;
  const expected = [
    ...schedule.announcements.map((a) => a.id),
    ...schedule.reminders.map((r) => reminderTootId(r.id, schedule.window.start)),
    'start',
    ...schedule.tasks
      .filter((t) => t.milestone !== null && events.some((e) => e.type === 'task' && e.taskId === t.id && e.status === 'done'))
      .map((t) => milestoneTootId(t.id)),
    outcome,
  ];
  for (const id of expected) if (!has(id) && !problems.some((p) => p.startsWith(`${id} `))) problems.push(`${id} fehlt`);
  return problems;
}
