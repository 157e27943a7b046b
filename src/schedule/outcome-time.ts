import { DateTime } from 'luxon';
import { allFinished, type Progress } from './progress.ts';
import type { Schedule } from './schedule.ts';

/** A posted toot as far as the outcome needs it: its id and when it went out (ISO). */
export interface PostedAt {
  readonly tootId: string;
  readonly at: string;
  readonly skipped?: string;
}

/**
 * When the maintenance actually ended, from the recorded facts; null while
 * it has not ended (or was cancelled). The time recorded with the outcome
 * when there is one; otherwise: completed by the last task: the moment
 * that task finished. Completed or backed out by the operator: when the
 * outcome's toot went out. Backed out at the deadline: the deadline (its
 * toot may have gone out later, after an outage).
 * Pure, so the page, the calendar and the feed agree.
 */
export function actualEnd(schedule: Schedule, progress: Progress, posted: readonly PostedAt[]): DateTime | null {
  // Recorded with the outcome itself (StateStore.transition); derived below for state written before that.
  if (progress.endedAt && (progress.phase === 'complete' || progress.phase === 'backout')) return progress.endedAt.setZone(schedule.timezone);
  if (progress.phase === 'complete') {
    if (allFinished(schedule, progress)) {
      const times = schedule.tasks.map((t) => progress.tasks[t.id]?.changedAt).filter((t): t is DateTime => t != null);
      if (times.length > 0) return times.reduce((a, b) => (b > a ? b : a));
    }
    return outcomeToot(posted, 'complete', schedule.timezone);
  }
  if (progress.phase === 'backout') {
    const toot = outcomeToot(posted, 'backout', schedule.timezone);
    return toot && toot < progress.deadline ? toot : progress.deadline.setZone(schedule.timezone);
  }
  return null;
}

function outcomeToot(posted: readonly PostedAt[], tootId: string, zone: string): DateTime | null {
  const toot = posted.find((p) => p.tootId === tootId && !p.skipped);
  return toot ? DateTime.fromISO(toot.at, { zone }) : null;
}
