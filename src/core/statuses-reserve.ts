import { milestoneTootId, reminderTootId } from '../schedule/toot-ids.ts';
import type { Progress } from '../schedule/progress.ts';
import type { Schedule } from '../schedule/schedule.ts';

/**
 * How many statuses a schedule's toots still need: every toot it can still
 * post that is neither posted nor skipped. Edits of the progress toot and
 * answers to questions leave this many statuses of the 3-hour budget
 * (Mastodon's statuses family counts posts and edits alike) to the toots.
 *
 * Counted generously: both announcements and reminders still due, the
 * start, each milestone not yet out, and one outcome (completion or
 * back-out, whichever comes), plus one for a date change or a cancellation
 * while the window has not opened. A toot split into a thread counts once
 * per part only after its first part is out; the margin covers that.
 * `settled` holds the toot ids with a record (posted or skipped).
 */
export function tootsStillNeeded(schedule: Schedule, progress: Progress, settled: ReadonlySet<string>): number {
  const open = (tootId: string) => (settled.has(tootId) ? 0 : 1);
  const milestones = (onlyDone: boolean) =>
    schedule.tasks
      .filter((t) => t.milestone !== null && (!onlyDone || progress.tasks[t.id]?.status === 'done'))
      .reduce((n, t) => n + open(milestoneTootId(t.id)), 0);
  switch (progress.phase) {
    case 'announced': {
      const early =
        schedule.announcements.reduce((n, a) => n + open(a.id), 0) + schedule.reminders.reduce((n, r) => n + open(reminderTootId(r.id, schedule.window.start)), 0);
      return early + open('start') + milestones(false) + 1 + 1;
    }
    case 'running':
      return open('start') + milestones(false) + 1;
    case 'complete':
      return open('start') + milestones(true) + open('complete');
    case 'backout':
      return open('start') + open('backout');
    case 'cancelled':
      return open('cancelled');
  }
}
