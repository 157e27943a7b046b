import { DateTime, Duration, IANAZone } from 'luxon';

/** Why a written time could not be turned into an instant. */
export type LocalTimeProblem =
  | { kind: 'invalid'; message: string; hint: string }
  | { kind: 'nonexistent'; message: string; hint: string }
  | { kind: 'ambiguous'; message: string; hint: string };

export type LocalTimeResult = { ok: true; value: DateTime } | { ok: false; problem: LocalTimeProblem };

const LOCAL = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?$/;
const WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/;

export function isValidZone(zone: string): boolean {
  return IANAZone.isValidZone(zone);
}

/**
 * Reads a schedule time. A local wall-clock time (`2023-02-12T15:00`) is taken in
 * `zone`; a time with an offset (`2026-10-25T02:30+01:00`) is an exact instant.
 * A local time that falls into the spring-forward gap or exists twice at
 * fall-back is refused rather than silently shifted: on migration day an hour
 * off is a visible mistake in front of every follower.
 */
export function parseScheduleTime(text: string, zone: string): LocalTimeResult {
  const example = '2023-02-12T15:00';
  if (WITH_OFFSET.test(text)) {
    const exact = DateTime.fromISO(text, { setZone: true });
    if (!exact.isValid) return invalid(text, exact.invalidExplanation ?? 'it is not a real date');
    // luxon takes any two digits, so +25:00 or +01:75 would silently shift the time.
    const offsetMinutes = Number(text.slice(-2));
    if (exact.offset < -12 * 60 || exact.offset > 14 * 60 || (!text.endsWith('Z') && offsetMinutes > 59)) {
      return invalid(text, 'the offset is not a real UTC offset (they run from -12:00 to +14:00)');
    }
    return { ok: true, value: exact.setZone(zone) };
  }
  if (!LOCAL.test(text)) {
    return {
      ok: false,
      problem: {
        kind: 'invalid',
        message: `"${text}" is not a time Herold can read.`,
        hint: `Write a local time like ${example}, or add an offset like 2026-10-25T02:30+01:00.`,
      },
    };
  }
  const local = DateTime.fromISO(text, { zone });
  if (!local.isValid) return invalid(text, local.invalidExplanation ?? 'it is not a real date');

  const candidates = local.getPossibleOffsets();
  if (candidates.length === 0 || !sameWallClock(local, text, zone)) {
    return {
      ok: false,
      problem: {
        kind: 'nonexistent',
        message: `${text} does not exist in ${zone}: the clocks jump forward over it.`,
        hint: `Pick a time outside the gap, or give the offset you mean explicitly.`,
      },
    };
  }
  if (candidates.length > 1) {
    const offsets = candidates.map((c) => c.toFormat('ZZ')).join(' or ');
    return {
      ok: false,
      problem: {
        kind: 'ambiguous',
        message: `${text} exists twice in ${zone} (offset ${offsets}) because the clocks go back.`,
        hint: `Add the offset you mean, for example ${text}${candidates[0]!.toFormat('ZZ')}.`,
      },
    };
  }
  return { ok: true, value: candidates[0]! };
}

function sameWallClock(dt: DateTime, text: string, zone: string): boolean {
  const wanted = DateTime.fromISO(text, { zone: 'utc' });
  const got = dt.setZone(zone);
  return (
    got.year === wanted.year &&
    got.month === wanted.month &&
    got.day === wanted.day &&
    got.hour === wanted.hour &&
    got.minute === wanted.minute
  );
}

function invalid(text: string, why: string): LocalTimeResult {
  return {
    ok: false,
    problem: {
      kind: 'invalid',
      message: `"${text}" is not a valid time: ${why}.`,
      hint: 'Write it like 2023-02-12T15:00.',
    },
  };
}

export type DurationResult = { ok: true; value: Duration } | { ok: false; message: string; hint: string };

/** Reads an ISO-8601 duration such as `P1D`, `PT1H` or `PT1H30M`. */
export function parseIsoDuration(text: string): DurationResult {
  const value = Duration.fromISO(text);
  if (value.isValid && value.toMillis() < 0) {
    return {
      ok: false,
      message: `"${text}" is a negative duration.`,
      hint: "Write it without a sign, like PT1H; a reminder's before already counts back from window.start.",
    };
  }
  // luxon reads a bare "P" or "PT" as zero; ISO-8601 needs at least one number.
  if (!value.isValid || !/\d/.test(text)) {
    return {
      ok: false,
      message: `"${text}" is not an ISO-8601 duration.`,
      hint: 'Write it like P1D (one day), PT1H (one hour) or PT30M (30 minutes).',
    };
  }
  return { ok: true, value };
}

/**
 * Counts a duration back from `from`. Luxon applies the calendar units (years,
 * months, weeks, days) on the wall clock and the time units (hours, minutes,
 * seconds) exactly, which is the rule schedules promise: P1D before 15:00 is
 * 15:00 on the day before even across a DST change, PT1H is sixty real minutes.
 */
export function countBack(from: DateTime, duration: Duration): DateTime {
  return from.minus(duration);
}

/**
 * A time with its day where the day is not the one the reader has in mind (German): "um 20:00 Uhr" on
 * `inMind`'s day, "am Montag um 03:30 Uhr" within six days of it, "am Montag, 13. Februar, um 03:30 Uhr"
 * further away. Calendar days in `then`'s zone, so a change to summer time does not shift them.
 */
export function timeWithDay(then: DateTime, inMind: DateTime, locale = 'de-AT'): string {
  const local = then.setLocale(locale);
  const days = Math.round(local.startOf('day').diff(inMind.setZone(local.zone).startOf('day'), 'days').days);
  const clock = local.toFormat("HH:mm 'Uhr'");
  if (days === 0) return `um ${clock}`;
  if (Math.abs(days) < 7) return `am ${local.toFormat('cccc')} um ${clock}`;
  return `am ${local.toFormat('cccc, d. LLLL')}, um ${clock}`;
}
