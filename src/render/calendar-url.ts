import type { Schedule } from '../schedule/schedule.ts';

/**
 * Where the calendar file of a maintenance is: /s/<id>.ics on the host of its
 * `statusPage`, which is Herold's status page (src/http/routes/calendar.ts
 * serves it). Null without a status page.
 */
export function calendarUrl(schedule: Pick<Schedule, 'id' | 'statusPage'>): string | null {
  return schedule.statusPage ? new URL(calendarPath(schedule.id), schedule.statusPage).href : null;
}

/** The calendar file of a maintenance, relative to Herold's root. */
export function calendarPath(scheduleId: string): string {
  return `/s/${encodeURIComponent(scheduleId)}.ics`;
}
