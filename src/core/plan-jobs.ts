import type { DateTime } from 'luxon';
import { type HeroldJob } from './jobs.ts';
import { tootJob } from './jobs.ts';
import { reminderTootId } from '../schedule/toot-ids.ts';
import type { Schedule } from '../schedule/schedule.ts';

export interface PlannedJob {
  readonly job: HeroldJob;
  readonly at: DateTime;
}

/**
 * The delayed jobs a schedule needs: its announcements, reminders, the start
 * and the deadline check. A reminder's toot id carries the start it reminds
 * of, so a moved date gets fresh reminders while an old one is never repeated.
 */
export function planJobs(schedule: Schedule, deadline: DateTime = schedule.window.deadline): PlannedJob[] {
  const start = schedule.window.start;
  return [
    ...schedule.announcements.map((a) => ({ job: tootJob(schedule, 'announcement', a.id, a.id, a.at), at: a.at })),
    ...schedule.reminders.map((r) => ({ job: tootJob(schedule, 'reminder', reminderTootId(r.id, start), r.id, r.at), at: r.at })),
    { job: tootJob(schedule, 'start', 'start', null, start), at: start },
    { job: { type: 'deadline', scheduleId: schedule.id, deadline: deadline.toISO()! }, at: deadline },
  ];
}
