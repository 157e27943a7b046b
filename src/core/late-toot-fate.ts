import { DateTime } from 'luxon';
import type { Phase, Progress } from '../schedule/progress.ts';
import type { Schedule } from '../schedule/schedule.ts';
import type { HeroldJob, PostKind } from './jobs.ts';

/** The phases in which each kind may still be posted for the first time. */
export const ALLOWED_PHASES: Record<PostKind, readonly Phase[]> = {
  announcement: ['announced'],
  reminder: ['announced'],
  'date-changed': ['announced'],
  // Also after the outcome: the completion or back-out reply needs the start toot as its thread root.
  start: ['announced', 'running', 'complete', 'backout'],
  milestone: ['running', 'complete'],
  complete: ['complete'],
  backout: ['backout'],
  cancelled: ['cancelled'],
  // A later deadline matters only while the window is open; the outcome toot says the rest.
  'deadline-moved': ['running'],
  // A milestone reply that no longer holds is corrected whenever it is found out, outcome or not.
  correction: ['running', 'complete', 'backout'],
};

/**
 * What a toot not yet posted does when its job runs late (a restart, a
 * crash whose job BullMQ hands back after the stalled-job check, an instance
 * that was down): null to post it, or the reason it is skipped. The caller
 * records the reason (so `herold status` lists it) and logs it. Pure.
 *
 * Per kind, once the window has opened:
 * - announcement, reminder, date-changed: skipped. They speak of a window
 *   still to come ("in 2 Stunden geht's los"); followers already have the
 *   start toot, which says the same with the right tense. Before the window
 *   they are still posted up to the grace period (HEROLD_GRACE_MS) late.
 * - start: posted late while the window is open, and after an outcome too
 *   (the completion or back-out reply needs it as the thread root, and it is
 *   then not pinned); skipped if the window was never opened and its
 *   deadline has passed, or the maintenance was cancelled.
 * - milestone: posted while the window is open or complete, and only if its
 *   task is still done: a task done and then failed gets no "erledigt" reply
 *   (the progress toot shows the failure). Skipped after a back-out or a
 *   cancellation (the back-out reply says what happened). Before the start
 *   job has opened the window it waits for its thread (the processor retries
 *   until the start toot is there), unless the deadline has passed.
 * - complete, backout, cancelled: posted whenever they run, as long as the
 *   outcome is still theirs.
 */
export function lateTootFate(job: Extract<HeroldJob, { type: 'toot' }>, progress: Progress, now: DateTime, graceMs: number, schedule: Schedule): string | null {
  if (job.kind === 'milestone' && progress.phase === 'announced') {
    // A task reported done before the start job opened the window (it runs at the same moment, or after a
    // restart): the milestone waits for its thread, as after an outage, instead of being lost.
    if (now >= progress.deadline) return 'the window was never opened, and its deadline has passed';
  } else if (!ALLOWED_PHASES[job.kind].includes(progress.phase)) {
    if (progress.phase === 'cancelled') return 'the maintenance was cancelled';
    if (job.kind === 'announcement' || job.kind === 'reminder' || job.kind === 'date-changed') {
      return `the maintenance had already started (${progress.phase}) when the ${job.kind} ran; it speaks of a window still to come`;
    }
    if (job.kind === 'milestone') return `the maintenance is ${progress.phase}; the ${progress.phase === 'backout' ? 'back-out reply' : 'outcome'} says what happened`;
    return `the maintenance is ${progress.phase}, not ${ALLOWED_PHASES[job.kind].join(' or ')}`;
  }
  const late = now.toMillis() - DateTime.fromISO(job.at).toMillis();
  if ((job.kind === 'announcement' || job.kind === 'reminder') && late > graceMs) {
    return `${Math.round(late / 60_000)} min late, more than the grace period`;
  }
  // A window Herold never opened (it was not running) is not opened after its deadline.
  if (job.kind === 'start' && progress.phase === 'announced' && now >= progress.deadline) return 'the window was already over';
  if (job.kind === 'milestone' && job.ref) {
    const status = progress.tasks[job.ref]?.status;
    if (status !== 'done') {
      const title = schedule.tasks.find((t) => t.id === job.ref)?.title ?? job.ref;
      return `the task "${title}" is ${status ?? 'unknown'} now, no longer done; the progress toot shows it`;
    }
  }
  return null;
}
