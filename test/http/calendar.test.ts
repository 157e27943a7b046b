import { readFileSync } from 'node:fs';
import ICAL from 'ical.js';
import { Hono } from 'hono';
import { DateTime, Duration } from 'luxon';
import { describe, expect, test } from 'vitest';
import { CalendarSequenceStore } from '../../src/adapters/redis/calendar-sequence-store.ts';
import { calendarFacts, calendarText } from '../../src/calendar/maintenance-calendar.ts';
import { createWeb, type Web } from '../../src/http/web.ts';
import { parseSchedule } from '../../src/schedule/load-schedule.ts';
import type { Schedule } from '../../src/schedule/schedule.ts';
import { uniqueId } from '../support/harness.ts';
import { webFixture } from './helpers.ts';

// The calendar file, read back with a real iCalendar parser (Mozilla's ical.js), against a real Redis.
const prefix = `{herold-ics-${uniqueId('c')}}`;
const fx = webFixture(prefix);
const seed = parseSchedule(readFileSync('schedules/wien-rocks-2023-02-12.yaml', 'utf8'), 'schedules/wien-rocks-2023-02-12.yaml');

async function app(schedule: Schedule, now: () => DateTime = () => DateTime.now()) {
  const web = await createWeb({
    schedules: new Map([[schedule.id, schedule]]),
    store: fx.store,
    now,
    feedKey: 'k',
    faq: null,
    calendar: new CalendarSequenceStore(fx.redis, prefix),
    publicUrl: 'https://herold.example',
  });
  fx.webs.push(web);
  const hono = new Hono();
  web.mount(hono);
  return hono;
}

/** Parses the file as a calendar app would: its VTIMEZONE registered, the one VEVENT read. */
function parse(text: string) {
  const calendar = new ICAL.Component(ICAL.parse(text));
  const zones = calendar.getAllSubcomponents('vtimezone');
  for (const zone of zones) ICAL.TimezoneService.register(zone);
  const vevents = calendar.getAllSubcomponents('vevent');
  expect(vevents).toHaveLength(1);
  const vevent = vevents[0]!;
  const event = new ICAL.Event(vevent);
  return {
    zones: zones.map((z) => z.getFirstPropertyValue('tzid')),
    uid: event.uid,
    sequence: event.sequence,
    status: vevent.getFirstPropertyValue('status'),
    summary: event.summary,
    description: event.description,
    url: vevent.getFirstPropertyValue('url'),
    startTzid: vevent.getFirstProperty('dtstart')!.getParameter('tzid'),
    start: event.startDate.toJSDate().toISOString(),
    end: event.endDate.toJSDate().toISOString(),
    stampIsUtc: (vevent.getFirstPropertyValue('dtstamp') as ICAL.Time).zone === ICAL.Timezone.utcTimezone,
  };
}

async function ics(hono: Hono, id: string) {
  const res = await hono.request(`/s/${id}.ics`);
  return { res, text: await res.text() };
}

describe('/s/:id.ics', () => {
  test('an RFC 5545 event in the schedule\'s zone with its VTIMEZONE, a stable UID and links to follow', async () => {
    const schedule = { ...seed, id: uniqueId('ics'), statusPage: 'https://status.wien.rocks/' };
    const hono = await app(schedule);
    const { res, text } = await ics(hono, schedule.id);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/calendar; charset=utf-8');
    expect(text).toMatch(/^BEGIN:VCALENDAR\r\n/);
    const event = parse(text);
    expect(event.zones).toEqual(['Europe/Vienna']);
    expect(event.startTzid).toBe('Europe/Vienna');
    // 15:00 in Vienna in February is 14:00 UTC; one hour of expected downtime.
    expect(event.start).toBe('2023-02-12T14:00:00.000Z');
    expect(event.end).toBe('2023-02-12T15:00:00.000Z');
    expect(event.uid).toBe(`herold-${schedule.id}@wien.rocks`);
    expect(event.sequence).toBe(0);
    expect(event.status).toBe('CONFIRMED');
    expect(event.summary).toBe('Wartung von wien.rocks');
    expect(event.description).toContain('bis etwa 16:00 Uhr offline und bis spätestens 20:00 Uhr wieder da');
    expect(event.description).toContain('https://status.wien.rocks/');
    expect(event.url).toBe('https://status.wien.rocks/');
    expect(event.stampIsUtc).toBe(true);
    // The same facts give the same file, byte for byte.
    expect((await ics(hono, schedule.id)).text).toBe(text);
  });

  test('SEQUENCE grows with every change and is kept in Redis; STATUS:CANCELLED when cancelled', async () => {
    const schedule = { ...seed, id: uniqueId('ics') };
    let now: DateTime = DateTime.fromISO('2023-02-10T12:00:00Z');
    const hono = await app(schedule, () => now);
    expect(parse((await ics(hono, schedule.id)).text).sequence).toBe(0);

    await fx.store.setDeadline(schedule.id, seed.window.deadline.plus({ hours: 1 }));
    now = now.plus({ minutes: 5 });
    const moved = parse((await ics(hono, schedule.id)).text);
    expect(moved.sequence).toBe(1);
    expect(moved.description).toContain('bis spätestens 21:00 Uhr');
    // Read again, unchanged: the sequence stays, also from another web instance (another replica).
    expect(parse((await ics(await app(schedule, () => now.plus({ hours: 1 })), schedule.id)).text).sequence).toBe(1);

    expect(await fx.store.transition(schedule.id, 'cancelled', ['announced'])).toBe(true);
    const cancelled = parse((await ics(hono, schedule.id)).text);
    expect(cancelled.sequence).toBe(2);
    expect(cancelled.status).toBe('CANCELLED');
    expect(cancelled.summary).toBe('Abgesagt: Wartung von wien.rocks');
    expect(cancelled.uid).toBe(moved.uid);
  });

  test('after the end the event ends when the last task did', async () => {
    const schedule = { ...seed, id: uniqueId('ics') };
    const hono = await app(schedule);
    await fx.store.transition(schedule.id, 'running', ['announced']);
    const last = seed.window.start.plus({ minutes: 95 });
    for (const task of seed.tasks) await fx.store.setTask(schedule.id, { taskId: task.id, status: 'done', at: (task === seed.tasks.at(-1) ? last : seed.window.start.plus({ minutes: 10 })).toISO()!, note: null });
    await fx.store.transition(schedule.id, 'complete', ['running']);
    const event = parse((await ics(hono, schedule.id)).text);
    expect(event.end).toBe(last.toUTC().toISO());
    expect(event.description).toContain('Abgeschlossen um 16:35 Uhr');
  });

  test('a window across the switch to summer time lasts its real length', () => {
    // 26 March 2023, 01:30 CET; at 02:00 clocks jump to 03:00 CEST.
    const start = DateTime.fromISO('2023-03-26T01:30', { zone: 'Europe/Vienna' });
    const schedule = { ...seed, window: { start, deadline: start.plus({ hours: 4 }), expectedDowntime: Duration.fromISO('PT2H') } };
    const facts = calendarFacts({ schedule, phase: 'announced', deadline: schedule.window.deadline, endedAt: null, pageUrl: null, fallbackAccount: '@wienrocks@mastodon.social' });
    const text = calendarText(facts, 0, DateTime.fromISO('2023-03-01T00:00:00Z'));
    expect(text).toContain('DTEND;TZID=Europe/Vienna:20230326T043000');
    const event = parse(text);
    expect(event.start).toBe('2023-03-26T00:30:00.000Z');
    expect(Date.parse(event.end) - Date.parse(event.start)).toBe(2 * 3600_000);
    expect(event.description).toContain('Während der Wartung: @wienrocks@mastodon.social');
  });

  test('an unknown maintenance is a 404', async () => {
    const hono = await app({ ...seed, id: uniqueId('ics') });
    expect((await ics(hono, 'nope')).res.status).toBe(404);
  });
});
