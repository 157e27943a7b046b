import ical, { ICalEventStatus } from 'ical-generator';
import type { DateTime } from 'luxon';
import { tzlib_get_ical_block } from 'timezones-ical-library';
import type { Phase } from '../schedule/progress.ts';
import type { Schedule } from '../schedule/schedule.ts';

/** What the calendar event says; everything that, when it changes, must raise SEQUENCE. */
export interface CalendarFacts {
  readonly uid: string;
  readonly summary: string;
  readonly description: string;
  readonly start: DateTime;
  readonly end: DateTime;
  readonly status: 'CONFIRMED' | 'CANCELLED';
  readonly url: string | null;
}

export interface CalendarFactsInput {
  readonly schedule: Schedule;
  readonly phase: Phase;
  /** The deadline in force (the operator may have extended it). */
  readonly deadline: DateTime;
  /** When the maintenance actually ended (src/schedule/outcome-time.ts); null while it has not. */
  readonly endedAt: DateTime | null;
  /** Where the status page is: the schedule's `statusPage`, else Herold's public URL for it. */
  readonly pageUrl: string | null;
  /** The account to follow while the instance is down, e.g. "@wienrocks@mastodon.social". */
  readonly fallbackAccount: string | null;
}

/** Stable across restarts, hosts and edits of the schedule's times. */
export function calendarUid(schedule: Pick<Schedule, 'id' | 'instance'>): string {
  return `herold-${schedule.id}@${schedule.instance}`;
}

/**
 * The facts of one maintenance as a calendar event: from the start to the
 * expected end (the actual end once it is over). Pure.
 */
export function calendarFacts({ schedule, phase, deadline, endedAt, pageUrl, fallbackAccount }: CalendarFactsInput): CalendarFacts {
  const zone = schedule.timezone;
  const start = schedule.window.start.setZone(zone);
  const expectedEnd = start.plus(schedule.window.expectedDowntime);
  const end = endedAt && endedAt > start ? endedAt.setZone(zone) : expectedEnd;
  const clock = (dt: DateTime) => dt.setZone(zone).setLocale(schedule.locale).toFormat(dt.hasSame(start, 'day') ? "HH:mm 'Uhr'" : "d. LLLL, HH:mm 'Uhr'");
  const lines: string[] = [];
  if (phase === 'cancelled') lines.push('Abgesagt: Die Wartung findet zu diesem Termin nicht statt.');
  else if (phase === 'complete') lines.push(`Abgeschlossen um ${clock(end)}.`);
  else if (phase === 'backout') lines.push(`Zurückgerollt um ${clock(end)}: ${schedule.instance} läuft wieder auf der alten Installation.`);
  else lines.push(`${schedule.instance} ist voraussichtlich bis etwa ${clock(expectedEnd)} offline und bis spätestens ${clock(deadline)} wieder da.`);
  if (pageUrl) lines.push(`Aktueller Stand: ${pageUrl}`);
  if (fallbackAccount) lines.push(`Während der Wartung: ${fallbackAccount}`);
  return {
    uid: calendarUid(schedule),
    summary: `${phase === 'cancelled' ? 'Abgesagt: ' : ''}Wartung von ${schedule.instance}`,
    description: lines.join('\n'),
    start,
    end,
    status: phase === 'cancelled' ? 'CANCELLED' : 'CONFIRMED',
    url: pageUrl,
  };
}

/** A fingerprint of the facts: the calendar's SEQUENCE goes up whenever it changes. */
export function calendarFingerprint(facts: CalendarFacts): string {
  return JSON.stringify([facts.uid, facts.summary, facts.description, facts.start.toMillis(), facts.end.toMillis(), facts.start.zoneName, facts.status, facts.url]);
}

/** The VTIMEZONE of an IANA zone, from the tz database the library ships; null for a zone it does not know. */
function vtimezone(zone: string): string | null {
  const block = tzlib_get_ical_block(zone);
  return Array.isArray(block) && block[0] ? block[0] : null;
}

/**
 * RFC 5545 text of one event: local times with TZID = the schedule's zone and
 * its VTIMEZONE, the stable UID, SEQUENCE, and STATUS (CANCELLED when
 * cancelled). `modifiedAt` is when the facts last changed: DTSTAMP and
 * LAST-MODIFIED, so the same facts give the same bytes.
 */
export function calendarText(facts: CalendarFacts, sequence: number, modifiedAt: DateTime): string {
  // No calendar-wide zone: ical-generator would then write DTSTAMP in local time, and RFC 5545 wants it in UTC.
  const calendar = ical({ prodId: { company: 'Herold', product: 'Herold', language: 'DE' }, name: facts.summary });
  calendar.timezone({ name: null, generator: vtimezone });
  calendar.createEvent({
    id: facts.uid,
    sequence,
    stamp: modifiedAt.toUTC(),
    lastModified: modifiedAt.toUTC(),
    start: facts.start,
    end: facts.end,
    timezone: facts.start.zoneName,
    summary: facts.summary,
    description: facts.description,
    url: facts.url,
    status: facts.status === 'CANCELLED' ? ICalEventStatus.CANCELLED : ICalEventStatus.CONFIRMED,
  });
  return calendar.toString();
}
