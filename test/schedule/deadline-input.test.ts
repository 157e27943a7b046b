import { DateTime } from 'luxon';
import { describe, expect, test } from 'vitest';
import { parseDeadlineInput } from '../../src/schedule/deadline-input.ts';

const zone = 'Europe/Vienna';
const at = (iso: string) => DateTime.fromISO(iso, { zone });
const context = { zone, windowStart: at('2026-03-14T15:00'), deadline: at('2026-03-14T20:00') };
const read = (text: string, ctx = context) => {
  const result = parseDeadlineInput(text, ctx);
  return result.ok ? result.value.toISO() : `✘ ${result.problem.message} ${result.problem.hint}`;
};

describe('parseDeadlineInput', () => {
  test.each([
    ['21:00', '2026-03-14T21:00:00.000+01:00'],
    ['9:30', '2026-03-15T09:30:00.000+01:00'],
    ['+30m', '2026-03-14T20:30:00.000+01:00'],
    ['+1h', '2026-03-14T21:00:00.000+01:00'],
    ['+1h30m', '2026-03-14T21:30:00.000+01:00'],
    ['+90min', '2026-03-14T21:30:00.000+01:00'],
    ['2026-03-14T22:15', '2026-03-14T22:15:00.000+01:00'],
    ['2026-03-14T22:15+02:00', '2026-03-14T21:15:00.000+01:00'],
  ])('%s', (text, expected) => expect(read(text)).toBe(expected));

  test('a time of day before the start means the next day (a window over midnight)', () => {
    const late = { zone, windowStart: at('2026-03-14T22:00'), deadline: at('2026-03-15T00:30') };
    expect(read('01:30', late)).toBe('2026-03-15T01:30:00.000+01:00');
    expect(read('23:30', late)).toBe('2026-03-14T23:30:00.000+01:00');
  });

  test('21:00 on a DST day is 21:00 local time, after the clocks moved', () => {
    const dst = { zone, windowStart: at('2026-03-29T01:00'), deadline: at('2026-03-29T05:00') };
    expect(read('21:00', dst)).toBe('2026-03-29T21:00:00.000+02:00');
    expect(read('02:30', dst)).toMatch(/^✘ .*does not exist in Europe\/Vienna/);
  });

  test('what it cannot read is explained with the schedule\'s own dates, never 2023', () => {
    for (const text of ['morgen', '25:00', '+0m', '+', '2026-13-01T10:00']) {
      const answer = read(text);
      expect(answer).toMatch(/^✘ /);
      expect(answer).toContain('2026-03-14T21:00');
      expect(answer).not.toContain('2023');
    }
  });
});
