import { DateTime } from 'luxon';
import type { Schedule } from '../schedule/schedule.ts';
import type { HeroldJob, PostKind } from './jobs.ts';
import { planJobs, type PlannedJob } from './plan-jobs.ts';

/** The toots before the window that stand alone on the timeline: their order is what followers read. */
const ORDERED: readonly PostKind[] = ['announcement', 'reminder'];

/**
 * How long a toot waits, each time, for one planned before it: a tenth of how late it is, between 250 ms
 * and 5 s. Just due, the one before it is most likely on its way (its marker is written within
 * milliseconds), and a short wait keeps both well before the window's start; after a long outage the one
 * before it retries on its own back-off, and polling it faster would only cost Redis reads.
 */
export function orderWaitMs(job: { readonly at: string }, now: DateTime): number {
  const late = now.toMillis() - DateTime.fromISO(job.at).toMillis();
  return Math.min(5000, Math.max(250, Math.round(late / 10)));
}

/** A toot at least this long before the end of its own grace period stops waiting, so it is never lost for the order's sake. */
const OWN_GRACE_KEPT_MS = 60_000;

/**
 * The announcements and reminders planned before `job` that it waits for: the ones it would otherwise
 * overtake. Several such toots become due at once when Herold starts late or the instance was down when
 * they were due; each then runs on its own retry clock, and the one planned later could go out first
 * ("Der Termin steht" before "Wir ziehen um"). The caller waits while one of these has not gone out
 * (posted, skipped, failed for good, or sent with its answer still open). Bounded, so that a toot whose job was removed holds nothing up for long:
 * a toot past its grace period is skipped when it runs, so it is not waited for, and a toot stops
 * waiting a minute before its own grace period ends. In plan order (time, then the schedule's order). Pure.
 */
export function plannedBefore(schedule: Schedule, job: Extract<HeroldJob, { type: 'toot' }>, now: DateTime, graceMs: number): PlannedJob[] {
  if (!ORDERED.includes(job.kind)) return [];
  if (now.toMillis() >= DateTime.fromISO(job.at).toMillis() + graceMs - OWN_GRACE_KEPT_MS) return [];
  const standalone = planJobs(schedule)
    .filter((p) => p.job.type === 'toot' && ORDERED.includes(p.job.kind))
    .map((planned, index) => ({ planned, index }))
    .sort((a, b) => a.planned.at.toMillis() - b.planned.at.toMillis() || a.index - b.index)
    .map(({ planned }) => planned);
  const mine = standalone.findIndex((p) => p.job.type === 'toot' && p.job.tootId === job.tootId);
  if (mine < 0) return [];
  return standalone.slice(0, mine).filter((p) => now.toMillis() < p.at.toMillis() + graceMs);
}
