import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { HelperOptions } from 'handlebars';
import { DateTime, Duration } from 'luxon';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { FileProblemsError, ScheduleError } from '../../src/errors.ts';
import { initialProgress, withTask } from '../../src/schedule/progress.ts';
import { parseSchedule } from '../../src/schedule/load-schedule.ts';
import { datum, dauer, eq, relativ, statusicon, statuslabel, tag, uhrzeit, zeit, zeitpunkt } from '../../src/render/helpers.ts';
import { TemplateRenderer } from '../../src/render/template-renderer.ts';
import { tootContext } from '../../src/render/toot-context.ts';

const VIENNA = 'Europe/Vienna';

/** A local Vienna time; offsets in the string win. */
const at = (text: string) => {
  const value = DateTime.fromISO(text, { zone: VIENNA });
  if (!value.isValid) throw new Error(`bad test time ${text}`);
  return value;
};

/** The part of HelperOptions the helpers read: the template's root context. */
const options = (now = '2023-02-12T15:00', locale = 'de-AT') =>
  ({ data: { root: { schedule: { locale }, now: at(now) } } }) as unknown as HelperOptions;

describe('datum, tag, uhrzeit, zeit', () => {
  test.each([
    ['2023-02-12T15:00', 'de-AT', 'Sonntag, 12. Februar 2023, 15:00 Uhr'],
    ['2024-01-07T09:05', 'de-AT', 'Sonntag, 7. Jänner 2024, 09:05 Uhr'],
    ['2024-01-07T09:05', 'de-DE', 'Sonntag, 7. Januar 2024, 09:05 Uhr'],
    ['2026-03-29T03:00', 'de-AT', 'Sonntag, 29. März 2026, 03:00 Uhr'],
    ['2026-10-25T02:30+01:00', 'de-AT', 'Sonntag, 25. Oktober 2026, 02:30 Uhr'],
    ['2023-12-31T23:59', 'de-AT', 'Sonntag, 31. Dezember 2023, 23:59 Uhr'],
  ])('datum(%s) in %s is "%s"', (time, locale, expected) => {
    expect(datum(at(time), options('2023-02-12T15:00', locale))).toBe(expected);
  });

  test('datum shows the wall clock of the zone the date carries (the schedule zone)', () => {
    const utc = DateTime.fromISO('2023-02-12T14:00Z', { setZone: true });
    expect(datum(utc.setZone(VIENNA), options())).toBe('Sonntag, 12. Februar 2023, 15:00 Uhr');
  });

  test.each([
    [tag, '2024-01-07T09:05', 'Sonntag, 7. Jänner 2024'],
    [uhrzeit, '2024-01-07T09:05', '09:05 Uhr'],
    [zeit, '2024-01-07T09:05', '09:05'],
    [uhrzeit, '2023-02-12T20:00', '20:00 Uhr'],
    [zeit, '2023-02-12T00:00', '00:00'],
  ])('%o(%s) is "%s"', (helper, time, expected) => {
    expect(helper(at(time), options())).toBe(expected);
  });

  test.each([
    ['datum', datum],
    ['tag', tag],
    ['uhrzeit', uhrzeit],
    ['zeit', zeit],
    ['relativ', relativ],
    ['zeitpunkt', zeitpunkt],
  ] as const)('{{%s}} refuses a value that is not a date', (name, helper) => {
    expect(() => helper('2023-02-12T15:00', options())).toThrow(`{{${name}}} needs a date, got string`);
    expect(() => helper(undefined, options())).toThrow(`{{${name}}} needs a date, got nothing`);
    expect(() => helper(null, options())).toThrow(`{{${name}}} needs a date, got null`);
  });
});

describe('relativ: relative to the moment the toot is posted', () => {
  test.each([
    // then, now, expected
    ['2023-02-12T15:00', '2023-02-11T15:00', 'morgen um 15:00 Uhr'],
    ['2023-02-12T15:00', '2023-02-11T23:59', 'morgen um 15:00 Uhr'],
    ['2023-02-12T15:00', '2023-02-12T14:00', 'in einer Stunde'],
    ['2023-02-12T15:00', '2023-02-12T14:30', 'in 30 Minuten'],
    ['2023-02-12T15:00', '2023-02-12T14:59', 'in einer Minute'],
    ['2023-02-12T15:00', '2023-02-12T13:30', 'in einer Stunde und 30 Minuten'],
    ['2023-02-12T15:00', '2023-02-12T13:29', 'heute um 15:00 Uhr'],
    ['2023-02-12T15:00', '2023-02-12T09:00', 'heute um 15:00 Uhr'],
    ['2023-02-12T15:00', '2023-02-12T00:00', 'heute um 15:00 Uhr'],
    ['2023-02-12T15:00', '2023-02-12T15:00', 'jetzt'],
    ['2023-02-12T15:00', '2023-02-12T16:00', 'heute um 15:00 Uhr'],
    ['2023-02-12T15:00', '2023-02-13T01:00', 'gestern um 15:00 Uhr'],
    ['2023-02-12T15:00', '2023-02-10T15:00', 'übermorgen um 15:00 Uhr'],
    ['2023-02-12T15:00', '2023-02-06T18:00', 'am Sonntag, 12. Februar, um 15:00 Uhr'],
    ['2024-01-20T10:00', '2024-01-01T10:00', 'am Samstag, 20. Jänner, um 10:00 Uhr'],
    // Across midnight, minutes win over days.
    ['2023-02-13T00:30', '2023-02-12T23:45', 'in 45 Minuten'],
    // The spring-forward night (28→29 March 2026) has 23 hours; it is still "morgen".
    ['2026-03-29T15:00', '2026-03-28T15:00', 'morgen um 15:00 Uhr'],
    ['2026-03-29T15:00', '2026-03-28T14:00', 'morgen um 15:00 Uhr'],
    ['2026-03-29T00:30', '2026-03-28T23:59', 'in 31 Minuten'],
    ['2026-03-29T03:30', '2026-03-29T01:30', 'in einer Stunde'],
    ['2026-03-29T03:00', '2026-03-29T01:30', 'in 30 Minuten'],
    ['2026-03-29T15:00', '2026-03-29T01:00', 'heute um 15:00 Uhr'],
    // The fall-back night (24→25 October 2026) has 25 hours; it is still "morgen".
    ['2026-10-25T15:00', '2026-10-24T15:00', 'morgen um 15:00 Uhr'],
    ['2026-10-25T15:00', '2026-10-24T16:00', 'morgen um 15:00 Uhr'],
    ['2026-10-25T02:30+01:00', '2026-10-25T02:30+02:00', 'in einer Stunde'],
    // 02:00 summer time to 03:00 winter time is two real hours, though the clock moves by one.
    ['2026-10-25T03:00', '2026-10-25T02:00+02:00', 'heute um 03:00 Uhr'],
    ['2026-10-25T03:00', '2026-10-25T02:00+01:00', 'in einer Stunde'],
  ])('%s seen at %s is "%s"', (then, now, expected) => {
    expect(relativ(at(then), options(now))).toBe(expected);
  });

  test('uses the zone of the date, even when "now" arrives in another zone', () => {
    const nowUtc = { data: { root: { schedule: { locale: 'de-AT' }, now: DateTime.fromISO('2023-02-11T23:30Z', { setZone: true }) } } };
    // 23:30 UTC is 00:30 on the 12th in Vienna: 15:00 is "heute", not "morgen".
    expect(relativ(at('2023-02-12T15:00'), nowUtc as unknown as HelperOptions)).toBe('heute um 15:00 Uhr');
  });
});

describe('zeitpunkt: the day only where it is not the one in mind', () => {
  /** The root context of a toot of a window that starts at `start`, rendered at `now`. */
  const during = (start: string, now: string) =>
    ({ data: { root: { schedule: { locale: 'de-AT' }, now: at(now), window: { start: at(start) } } } }) as unknown as HelperOptions;

  test.each([
    // Before the window the day in mind is the window's (an announcement names it first).
    ['2023-02-12T15:00', '2023-02-05T10:00', '2023-02-12T20:00', 'um 20:00 Uhr'],
    ['2023-02-12T22:00', '2023-02-10T10:00', '2023-02-13T03:30', 'am Montag um 03:30 Uhr'],
    ['2023-02-12T22:00', '2023-02-12T21:00', '2023-02-13T03:30', 'am Montag um 03:30 Uhr'],
    // Once it has begun, today is: before midnight the next day is named, after it not.
    ['2023-02-12T22:00', '2023-02-12T23:50', '2023-02-13T03:30', 'am Montag um 03:30 Uhr'],
    ['2023-02-12T22:00', '2023-02-13T00:10', '2023-02-13T03:30', 'um 03:30 Uhr'],
    // A deadline a week or more away gets its date; one in the past its weekday.
    ['2023-02-12T15:00', '2023-02-12T15:00', '2023-02-19T20:00', 'am Sonntag, 19. Februar, um 20:00 Uhr'],
    ['2023-02-12T15:00', '2023-02-13T09:00', '2023-02-12T20:00', 'am Sonntag um 20:00 Uhr'],
    // Over the change to summer time: the calendar day counts, not 24 hours.
    ['2026-03-28T22:00', '2026-03-28T22:00', '2026-03-29T03:30', 'am Sonntag um 03:30 Uhr'],
  ])('window from %s, seen at %s: %s is "%s"', (start, now, then, expected) => {
    expect(zeitpunkt(at(then), during(start, now))).toBe(expected);
  });

  test('without a window in the context (a page, a test) the day in mind is today', () => {
    expect(zeitpunkt(at('2023-02-13T03:30'), options('2023-02-12T22:00'))).toBe('am Montag um 03:30 Uhr');
    expect(zeitpunkt(at('2023-02-12T23:30'), options('2023-02-12T22:00'))).toBe('um 23:30 Uhr');
  });
});

describe('dauer', () => {
  test.each([
    ['PT1H', 'eine Stunde'],
    ['PT1H30M', '1 Stunde und 30 Minuten'],
    ['PT90M', '1 Stunde und 30 Minuten'],
    ['PT45M', '45 Minuten'],
    ['PT2H', '2 Stunden'],
    ['P1D', 'ein Tag'],
    ['PT24H', 'ein Tag'],
    ['P2D', '2 Tage'],
    ['P1DT2H', '1 Tag und 2 Stunden'],
    ['PT0S', 'keine Zeit'],
  ])('dauer(%s) is "%s"', (iso, expected) => {
    expect(dauer(Duration.fromISO(iso), options())).toBe(expected);
  });

  test('refuses a value that is not a duration', () => {
    expect(() => dauer('PT1H', options())).toThrow('{{dauer}} needs a duration, got string');
    expect(() => dauer(at('2023-02-12T15:00'), options())).toThrow('{{dauer}} needs a duration, got object');
  });
});

describe('statuslabel, statusicon, eq', () => {
  test.each([
    ['pending', 'offen', '⬜'],
    ['running', 'läuft', '⏳'],
    ['done', 'erledigt', '✅'],
    ['failed', 'Problem', '⚠️'],
    ['skipped', 'entfällt', '➖'],
  ])('%s → "%s" %s', (status, label, icon) => {
    expect(statuslabel(status)).toBe(label);
    expect(statusicon(status)).toBe(icon);
  });

  test.each(['fertig', undefined, 'DONE'])('an unknown status %j is an error', (status) => {
    expect(() => statuslabel(status)).toThrow(`{{statuslabel}} got an unknown task status "${String(status)}"`);
    expect(() => statusicon(status)).toThrow(`{{statusicon}} got an unknown task status "${String(status)}"`);
  });

  test.each([
    ['done', 'done', true],
    ['done', 'pending', false],
    [1, '1', false],
  ])('eq(%j, %j) is %s', (a, b, expected) => {
    expect(eq(a, b)).toBe(expected);
  });
});

describe('helpers inside the real TemplateRenderer', () => {
  let dir: string;
  const schedule = parseSchedule(
    [
      'id: helper-test',
      'instance: wien.rocks',
      'timezone: Europe/Vienna',
      'locale: de-AT',
      'window:',
      '  start: 2024-01-07T15:00',
      '  deadline: 2024-01-07T20:00',
      '  expectedDowntime: PT1H30M',
      'tasks:',
      '  - id: backup',
      '    title: Backup',
      '    at: 2024-01-07T15:00',
      '  - id: dns',
      '    title: DNS umstellen',
      '',
    ].join('\n'),
    '/tmp/helper-test.yaml',
  );

  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'herold-helpers-'));
    const templates: Record<string, string> = {
      daten: '{{datum window.start}} | {{tag window.start}} | {{uhrzeit window.deadline}} | {{zeit window.expectedEnd}}',
      relativ: 'Los geht es {{relativ window.start}}.',
      dauer: 'Offline für {{dauer window.expectedDowntime}}.',
      liste: '{{#each tasks}}{{statusicon status}} {{statuslabel status}} {{title}}\n{{/each}}',
      vergleich: '{{#if (eq phase "running")}}läuft{{else}}wartet{{/if}}',
      tippfehler: 'Zeile eins\nSpätestens um {{uhrzeit window.deadlin}} sind wir zurück.',
      falschertyp: 'Offline für\n\n  {{dauer window.start}}.',
    };
    for (const [name, source] of Object.entries(templates)) writeFileSync(path.join(dir, `${name}.hbs`), source);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const render = (template: string, now: string, progress = initialProgress(schedule)) =>
    new TemplateRenderer(dir).render(template, tootContext(schedule, progress, at(now))).text;

  test('dates come out in German with the Austrian month names', () => {
    expect(render('daten', '2024-01-06T15:00')).toBe(
      'Sonntag, 7. Jänner 2024, 15:00 Uhr | Sonntag, 7. Jänner 2024 | 20:00 Uhr | 16:30',
    );
  });

  test.each([
    ['2024-01-06T15:00', 'Los geht es morgen um 15:00 Uhr.'],
    ['2024-01-07T14:00', 'Los geht es in einer Stunde.'],
    ['2024-01-07T14:30', 'Los geht es in 30 Minuten.'],
    ['2024-01-07T08:00', 'Los geht es heute um 15:00 Uhr.'],
  ])('relativ uses the toot time as "now": at %s → "%s"', (now, expected) => {
    expect(render('relativ', now)).toBe(expected);
  });

  test('dauer reads the schedule duration', () => {
    expect(render('dauer', '2024-01-07T15:00')).toBe('Offline für 1 Stunde und 30 Minuten.');
  });

  test('statusicon and statuslabel render each task state', () => {
    const progress = withTask({ ...initialProgress(schedule), phase: 'running' }, 'backup', 'done', at('2024-01-07T15:05'));
    expect(render('liste', '2024-01-07T15:05', progress)).toBe('✅ erledigt Backup\n⬜ offen DNS umstellen');
    expect(render('vergleich', '2024-01-07T15:05', progress)).toBe('läuft');
    expect(render('vergleich', '2024-01-06T15:05')).toBe('wartet');
  });

  test('a misspelt variable inside a helper argument is reported with its line and column', () => {
    let error: unknown;
    try {
      render('tippfehler', '2024-01-07T15:00');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(FileProblemsError);
    const [problem] = (error as ScheduleError).problems;
    const line2 = 'Spätestens um {{uhrzeit window.deadlin}} sind wir zurück.';
    expect(problem).toMatchObject({
      file: path.join(dir, 'tippfehler.hbs'),
      line: 2,
      column: line2.indexOf('{{') + 1,
    });
    expect(problem!.message).toContain('{{uhrzeit}} needs a date, got nothing (is the variable name spelled right?)');
    expect(problem!.message).not.toMatch(/ - \d+:\d+/);
    expect(problem!.hint).toBeTruthy();
  });

  test('a value of the wrong kind is reported with its line and column', () => {
    expect(() => render('falschertyp', '2024-01-07T15:00')).toThrow(
      `${path.join(dir, 'falschertyp.hbs')}:3:3: The template cannot be rendered: {{dauer}} needs a duration, got object.`,
    );
  });
});
