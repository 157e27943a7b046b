import type { Hono } from 'hono';
import type { DateTime } from 'luxon';
import { DateTime as LuxonDateTime } from 'luxon';
import { calendarFacts, calendarFingerprint, calendarText } from '../../calendar/maintenance-calendar.ts';
import type { CalendarRevisions } from '../../core/ports/calendar-revisions.ts';
import { actualEnd } from '../../schedule/outcome-time.ts';
import type { Schedule } from '../../schedule/schedule.ts';
import type { LiveState } from '../live/live-state.ts';

export interface CalendarRouteOptions {
  readonly store: CalendarRevisions;
  readonly now: () => DateTime;
  /** HEROLD_PUBLIC_URL: the status page's address when the schedule names none. */
  readonly publicUrl: string | null;
}

/** Where followers read the status of a maintenance: the schedule's `statusPage`, else Herold's own page when its public URL is known. */
export function statusPageUrl(schedule: Schedule, publicUrl: string | null): string | null {
  if (schedule.statusPage) return schedule.statusPage;
  return publicUrl ? `${publicUrl.replace(/\/+$/, '')}/s/${encodeURIComponent(schedule.id)}` : null;
}

/**
 * GET /s/:id.ics: the maintenance as an iCalendar event (RFC 5545). Its
 * SEQUENCE is stored and goes up whenever what the event says changes (a
 * moved deadline, the actual end, a cancellation), so calendar apps that
 * subscribed replace their copy instead of keeping the old one.
 */
export function mountCalendar(app: Hono, live: LiveState, options: CalendarRouteOptions): void {
  app.get('/s/:file{[^/]+\\.ics}', async (c) => {
    const schedule = live.schedule(c.req.param('file').slice(0, -'.ics'.length));
    if (!schedule) return c.text('Diese Wartung gibt es nicht.', 404);
    const snapshot = await live.snapshot(schedule);
    const facts = calendarFacts({
      schedule,
      phase: snapshot.progress.phase,
      deadline: snapshot.progress.deadline,
      endedAt: actualEnd(schedule, snapshot.progress, snapshot.posted),
      pageUrl: statusPageUrl(schedule, options.publicUrl),
      fallbackAccount: schedule.fallbackAccount,
    });
    const revision = await options.store.revise(schedule.id, calendarFingerprint(facts), options.now().toMillis());
    const body = calendarText(facts, revision.sequence, LuxonDateTime.fromMillis(revision.changedAt, { zone: 'utc' }));
    return c.body(body, 200, {
      'Content-Type': 'text/calendar; charset=utf-8',
      'Content-Disposition': `inline; filename="${schedule.id}.ics"`,
      'Cache-Control': 'no-cache',
    });
  });
}
