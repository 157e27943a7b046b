import { Duration } from 'luxon';
import { describe, expect, test } from 'vitest';
import { FileProblemsError, ScheduleError } from '../../src/errors.ts';
import { countBack, isValidZone, parseIsoDuration, parseScheduleTime } from '../../src/schedule/local-time.ts';
import { parseSchedule } from '../../src/schedule/load-schedule.ts';

const VIENNA = 'Europe/Vienna';

/** Parses a time that must be valid and returns it as an ISO string with offset. */
function iso(text: string, zone = VIENNA): string {
  const result = parseScheduleTime(text, zone);
  if (!result.ok) throw new Error(`expected ${text} to parse, got: ${result.problem.message}`);
  return result.value.toISO()!;
}

describe('parseScheduleTime: local wall-clock times in Europe/Vienna', () => {
  test.each([
    // input, expected instant
    ['2023-02-12T15:00', '2023-02-12T15:00:00.000+01:00'],
    ['2023-02-12T15:00:30', '2023-02-12T15:00:30.000+01:00'],
    ['2023-02-12T15:00:00.250', '2023-02-12T15:00:00.250+01:00'],
    ['2023-07-01T09:05', '2023-07-01T09:05:00.000+02:00'],
    ['2024-02-29T12:00', '2024-02-29T12:00:00.000+01:00'],
    // Spring forward, 29 March 2026: 02:00 jumps to 03:00.
    ['2026-03-29T01:59', '2026-03-29T01:59:00.000+01:00'],
    ['2026-03-29T03:00', '2026-03-29T03:00:00.000+02:00'],
    ['2026-03-29T15:00', '2026-03-29T15:00:00.000+02:00'],
    // Fall back, 25 October 2026: 03:00 goes back to 02:00.
    ['2026-10-25T01:59', '2026-10-25T01:59:00.000+02:00'],
    ['2026-10-25T03:00', '2026-10-25T03:00:00.000+01:00'],
    ['2026-10-25T15:00', '2026-10-25T15:00:00.000+01:00'],
  ])('%s is %s', (input, expected) => {
    const result = parseScheduleTime(input, VIENNA);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.value.toISO()).toBe(expected);
    expect(result.value.zoneName).toBe(VIENNA);
  });

  test.each(['2026-03-29T02:00', '2026-03-29T02:30', '2026-03-29T02:59'])(
    '%s falls into the spring-forward gap and is refused',
    (input) => {
      const result = parseScheduleTime(input, VIENNA);
      expect(result).toMatchObject({ ok: false, problem: { kind: 'nonexistent' } });
      if (result.ok) return;
      expect(result.problem.message).toBe(`${input} does not exist in Europe/Vienna: the clocks jump forward over it.`);
      expect(result.problem.hint).toMatch(/offset/);
    },
  );

  test.each(['2026-10-25T02:00', '2026-10-25T02:30', '2026-10-25T02:59'])(
    '%s exists twice at fall-back and is refused',
    (input) => {
      const result = parseScheduleTime(input, VIENNA);
      expect(result).toMatchObject({ ok: false, problem: { kind: 'ambiguous' } });
      if (result.ok) return;
      expect(result.problem.message).toBe(
        `${input} exists twice in Europe/Vienna (offset +02:00 or +01:00) because the clocks go back.`,
      );
      expect(result.problem.hint).toBe(`Add the offset you mean, for example ${input}+02:00.`);
    },
  );

  test('an explicit offset settles the ambiguous fall-back hour; the two differ by one hour', () => {
    const summer = parseScheduleTime('2026-10-25T02:30+02:00', VIENNA);
    const winter = parseScheduleTime('2026-10-25T02:30+01:00', VIENNA);
    expect(summer.ok && winter.ok).toBe(true);
    if (!summer.ok || !winter.ok) return;
    expect(summer.value.toISO()).toBe('2026-10-25T02:30:00.000+02:00');
    expect(winter.value.toISO()).toBe('2026-10-25T02:30:00.000+01:00');
    expect(winter.value.diff(summer.value, 'minutes').minutes).toBe(60);
    expect(summer.value.zoneName).toBe(VIENNA);
    expect(winter.value.zoneName).toBe(VIENNA);
  });
});

describe('parseScheduleTime: offsets are exact instants, converted into the schedule zone', () => {
  test.each([
    ['2023-02-12T14:00Z', VIENNA, '2023-02-12T15:00:00.000+01:00'],
    ['2023-02-12T14:00+00:00', VIENNA, '2023-02-12T15:00:00.000+01:00'],
    ['2023-02-12T09:00-05:00', VIENNA, '2023-02-12T15:00:00.000+01:00'],
    ['2023-02-12T23:30+09:00', VIENNA, '2023-02-12T15:30:00.000+01:00'],
    ['2023-07-01T12:00+05:30', VIENNA, '2023-07-01T08:30:00.000+02:00'],
    // A wall-clock time inside the gap, given with the offset before the jump, is the instant after it.
    ['2026-03-29T02:30+01:00', VIENNA, '2026-03-29T03:30:00.000+02:00'],
    // Same rules in another schedule zone.
    ['2023-02-12T15:00+01:00', 'America/New_York', '2023-02-12T09:00:00.000-05:00'],
    ['2023-02-12T15:00', 'America/New_York', '2023-02-12T15:00:00.000-05:00'],
    ['2023-02-12T15:00', 'UTC', '2023-02-12T15:00:00.000Z'],
  ])('%s in %s is %s', (input, zone, expected) => {
    const result = parseScheduleTime(input, zone);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.value.toISO()).toBe(expected);
    expect(result.value.zoneName).toBe(zone);
  });

  test('the nonexistent and ambiguous rules follow the schedule zone, not Vienna', () => {
    // 2026-03-08 is the US spring-forward day; 02:30 does not exist in New York but does in Vienna.
    expect(parseScheduleTime('2026-03-08T02:30', 'America/New_York')).toMatchObject({
      ok: false,
      problem: { kind: 'nonexistent' },
    });
    expect(iso('2026-03-08T02:30')).toBe('2026-03-08T02:30:00.000+01:00');
  });
});

describe('parseScheduleTime: strings that are not times', () => {
  test.each([
    // unreadable shape
    ['', 'not a time Herold can read'],
    ['15:00', 'not a time Herold can read'],
    ['2023-02-12', 'not a time Herold can read'],
    ['2023-02-12 15:00', 'not a time Herold can read'],
    ['12.02.2023 15:00', 'not a time Herold can read'],
    ['2023-02-12T15:00 ', 'not a time Herold can read'],
    ['2023-02-12T15:00+1:00', 'not a time Herold can read'],
    ['2023-02-12T15:00:00+0100', 'not a time Herold can read'],
    ['2023-02-12T15:00 CET', 'not a time Herold can read'],
    // right shape, impossible value
    ['2023-02-29T15:00', 'not a valid time'],
    ['2023-13-01T15:00', 'not a valid time'],
    ['2023-02-12T15:60', 'not a valid time'],
    ['2023-02-12T25:00', 'not a valid time'],
    ['2023-02-30T15:00+01:00', 'not a valid time'],
    // offsets that no place on earth uses (luxon alone would accept them)
    ['2023-02-12T15:00+25:00', 'not a real UTC offset'],
    ['2023-02-12T15:00+01:75', 'not a real UTC offset'],
    ['2023-02-12T15:00-13:00', 'not a real UTC offset'],
  ])('%j is refused (%s)', (input, reason) => {
    const result = parseScheduleTime(input, VIENNA);
    expect(result).toMatchObject({ ok: false, problem: { kind: 'invalid' } });
    if (result.ok) return;
    expect(result.problem.message).toContain(JSON.stringify(input));
    expect(result.problem.message).toContain(reason);
    expect(result.problem.hint).toMatch(/2023-02-12T15:00|2026-10-25T02:30\+01:00/);
  });

  test.each([
    ['2023-02-12T15:00+14:00', '2023-02-12T02:00:00.000+01:00'],
    ['2023-02-12T15:00-12:00', '2023-02-13T04:00:00.000+01:00'],
  ])('the extreme real offsets are accepted: %s', (input, expected) => {
    expect(iso(input)).toBe(expected);
  });
});

describe('isValidZone', () => {
  test.each([
    ['Europe/Vienna', true],
    ['UTC', true],
    ['America/New_York', true],
    ['Europe/Wein', false],
    ['Vienna', false],
    ['', false],
  ])('%j → %s', (zone, valid) => {
    expect(isValidZone(zone)).toBe(valid);
  });
});

describe('parseIsoDuration', () => {
  test.each([
    ['P1D', { days: 1 }],
    ['PT1H', { hours: 1 }],
    ['PT1H30M', { hours: 1, minutes: 30 }],
    ['PT30M', { minutes: 30 }],
    ['P1W', { weeks: 1 }],
    ['PT0S', { seconds: 0 }],
  ])('%s reads as %o', (input, expected) => {
    const result = parseIsoDuration(input);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.value.toObject()).toEqual(expected);
  });

  test.each([
    ['1h', 'is not an ISO-8601 duration'],
    ['1 Stunde', 'is not an ISO-8601 duration'],
    ['PT', 'is not an ISO-8601 duration'],
    ['P', 'is not an ISO-8601 duration'],
    ['', 'is not an ISO-8601 duration'],
    ['-PT1H', 'is a negative duration'],
  ])('%j is refused: %s', (input, message) => {
    const result = parseIsoDuration(input);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.message).toBe(`${JSON.stringify(input)} ${message}.`);
    expect(result.hint).toContain('PT1H');
  });
});

describe('countBack across the 2026 DST changes in Europe/Vienna', () => {
  test.each([
    // from (local), duration, expected
    ['2023-02-12T15:00', 'P1D', '2023-02-11T15:00:00.000+01:00'],
    ['2023-02-12T15:00', 'PT1H', '2023-02-12T14:00:00.000+01:00'],
    ['2023-02-12T15:00', 'PT24H', '2023-02-11T15:00:00.000+01:00'],
    ['2023-02-12T15:00', 'PT30M', '2023-02-12T14:30:00.000+01:00'],
    ['2023-02-12T15:00', 'P1W', '2023-02-05T15:00:00.000+01:00'],
    // Spring forward: the night 28→29 March has only 23 hours.
    ['2026-03-29T15:00', 'P1D', '2026-03-28T15:00:00.000+01:00'],
    ['2026-03-29T15:00', 'PT24H', '2026-03-28T14:00:00.000+01:00'],
    ['2026-03-30T10:00', 'P1D', '2026-03-29T10:00:00.000+02:00'],
    ['2026-03-30T10:00', 'PT24H', '2026-03-29T10:00:00.000+02:00'],
    ['2026-03-29T03:30', 'PT1H', '2026-03-29T01:30:00.000+01:00'],
    ['2026-03-29T15:00', 'P1W', '2026-03-22T15:00:00.000+01:00'],
    // Fall back: the night 24→25 October has 25 hours.
    ['2026-10-25T15:00', 'P1D', '2026-10-24T15:00:00.000+02:00'],
    ['2026-10-25T15:00', 'PT24H', '2026-10-24T16:00:00.000+02:00'],
    ['2026-10-26T10:00', 'P1D', '2026-10-25T10:00:00.000+01:00'],
    ['2026-10-25T03:30', 'PT1H', '2026-10-25T02:30:00.000+01:00'],
    ['2026-10-25T03:30', 'PT2H', '2026-10-25T02:30:00.000+02:00'],
  ])('%s minus %s is %s', (from, duration, expected) => {
    const start = parseScheduleTime(from, VIENNA);
    expect(start.ok).toBe(true);
    if (!start.ok) return;
    const at = countBack(start.value, Duration.fromISO(duration));
    expect(at.toISO()).toBe(expected);
    expect(at.zoneName).toBe(VIENNA);
  });
});

/** A minimal schedule using the shipped German templates. */
function scheduleYaml(start: string, reminders: [id: string, before: string][], deadline = 'P0D'): string {
  const startDate = start.slice(0, 10);
  return [
    'id: dst-test',
    'instance: wien.rocks',
    'timezone: Europe/Vienna',
    'locale: de-AT',
    'window:',
    `  start: ${start}`,
    `  deadline: ${deadline === 'P0D' ? `${startDate}T23:00` : deadline}`,
    '  expectedDowntime: PT1H',
    'reminders:',
    ...reminders.flatMap(([id, before]) => [`  - id: ${id}`, `    before: ${before}`, '    template: reminder']),
    'tasks:',
    '  - id: umzug',
    '    title: Umzug',
    '',
  ].join('\n');
}

describe('reminders computed through parseSchedule', () => {
  test.each([
    ['2023-02-12T15:00', 'P1D', '2023-02-11T15:00:00.000+01:00'],
    ['2023-02-12T15:00', 'PT1H', '2023-02-12T14:00:00.000+01:00'],
    ['2026-03-29T15:00', 'P1D', '2026-03-28T15:00:00.000+01:00'],
    ['2026-03-29T15:00', 'PT24H', '2026-03-28T14:00:00.000+01:00'],
    ['2026-03-29T15:00', 'PT1H', '2026-03-29T14:00:00.000+02:00'],
    ['2026-03-30T10:00', 'P1D', '2026-03-29T10:00:00.000+02:00'],
    ['2026-10-25T15:00', 'P1D', '2026-10-24T15:00:00.000+02:00'],
    ['2026-10-25T15:00', 'PT24H', '2026-10-24T16:00:00.000+02:00'],
    ['2026-10-25T02:30+01:00', 'PT1H', '2026-10-25T02:30:00.000+02:00'],
    ['2026-10-25T02:30+02:00', 'PT1H', '2026-10-25T01:30:00.000+02:00'],
  ])('start %s, before %s → reminder at %s', (start, before, expected) => {
    const schedule = parseSchedule(scheduleYaml(start, [['erinnerung', before]]), '/tmp/dst-test.yaml');
    expect(schedule.reminders).toHaveLength(1);
    const [reminder] = schedule.reminders;
    expect(reminder!.at.toISO()).toBe(expected);
    expect(reminder!.at.zoneName).toBe(VIENNA);
    expect(reminder!.before.toISO()).toBe(before);
    expect(reminder!.at < schedule.window.start).toBe(true);
  });

  // In scheduleYaml, line 6 is "  start: <value>" and the value begins in column 10.
  test('a start in the spring-forward gap is refused with the field named', () => {
    const text = scheduleYaml('2026-03-29T02:30', [['r', 'PT1H']], '2026-03-29T20:00');
    expect(text.split('\n')[5]).toBe('  start: 2026-03-29T02:30');
    expect(() => parseSchedule(text, '/tmp/s.yaml')).toThrow(
      /^\/tmp\/s\.yaml:6:10: window\.start: 2026-03-29T02:30 does not exist in Europe\/Vienna/,
    );
  });

  test('an ambiguous start is refused with the offsets to choose from', () => {
    let error: unknown;
    const text = scheduleYaml('2026-10-25T02:30', [['r', 'PT1H']], '2026-10-25T20:00');
    expect(text.split('\n')[5]).toBe('  start: 2026-10-25T02:30');
    try {
      parseSchedule(text, '/tmp/s.yaml');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(FileProblemsError);
    const problems = (error as ScheduleError).problems;
    expect(problems).toEqual([
      {
        file: '/tmp/s.yaml',
        line: 6,
        column: 10,
        message:
          'window.start: 2026-10-25T02:30 exists twice in Europe/Vienna (offset +02:00 or +01:00) because the clocks go back.',
        hint: 'Add the offset you mean, for example 2026-10-25T02:30+02:00.',
      },
    ]);
  });

  test.each(['PT0S', 'P0D'])('a reminder with before: %s does not lie before the start and is refused', (before) => {
    const text = scheduleYaml('2023-02-12T15:00', [['ok', 'PT1H'], ['jetzt', before]]);
    const lines = text.split('\n');
    const line = lines.indexOf(`    before: ${before}`) + 1;
    let error: unknown;
    try {
      parseSchedule(text, '/tmp/s.yaml');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(FileProblemsError);
    const [problem, ...rest] = (error as ScheduleError).problems;
    expect(rest).toEqual([]);
    expect(line).toBeGreaterThan(0);
    expect(problem).toMatchObject({ file: '/tmp/s.yaml', line, column: '    before: '.length + 1 });
    expect(problem!.message).toBe(`Reminder "jetzt" has before: ${before}, which does not lie before window.start.`);
  });
});
