import { DateTime, Duration } from 'luxon';
import { parseScheduleTime, type LocalTimeResult } from './local-time.ts';

export interface DeadlineContext {
  readonly zone: string;
  /** The window's start: `21:00` means 21:00 on this day. */
  readonly windowStart: DateTime;
  /** The deadline in force: `+30m` counts from it. */
  readonly deadline: DateTime;
}

const CLOCK = /^(\d{1,2}):(\d{2})$/;
const RELATIVE = /^\+(?:(\d+)h)?(?:(\d+)m(?:in)?)?$/;

/**
 * Reads the new deadline an operator typed for `herold window … extend`:
 * - `21:00`: that time on the window's day, in the schedule's zone (the next
 *   day if that is before the window's start, for a window over midnight);
 * - `+30m`, `+1h`, `+1h30m`: that much later than the deadline in force;
 * - a full local time like `2026-03-14T21:00`, or one with an offset.
 * Examples in the messages use the schedule's own dates.
 */
export function parseDeadlineInput(text: string, context: DeadlineContext): LocalTimeResult {
  const relative = RELATIVE.exec(text.trim());
  if (relative && (relative[1] !== undefined || relative[2] !== undefined)) {
    const by = Duration.fromObject({ hours: Number(relative[1] ?? 0), minutes: Number(relative[2] ?? 0) });
    if (by.toMillis() === 0) return invalid(`"${text}" does not move the deadline.`, context);
    return { ok: true, value: context.deadline.plus(by).setZone(context.zone) };
  }
  return parseWindowTime(text, context);
}

/**
 * A moment of the window as an operator types it (`herold task … --at`):
 * `16:40` on the window's day (the next day if before the start), or a full local time.
 */
export function parseWindowTime(text: string, context: DeadlineContext): LocalTimeResult {
  const { zone, windowStart } = context;
  const trimmed = text.trim();
  const clock = CLOCK.exec(trimmed);
  if (clock) {
    const [hour, minute] = [Number(clock[1]), Number(clock[2])];
    if (hour > 23 || minute > 59) return invalid(`"${text}" is not a time of day.`, context);
    const day = windowStart.setZone(zone);
    const sameDay = parseScheduleTime(localIso(day, hour, minute), zone);
    if (!sameDay.ok || sameDay.value > day) return sameDay;
    return parseScheduleTime(localIso(day.plus({ days: 1 }), hour, minute), zone);
  }
  const full = parseScheduleTime(trimmed, zone);
  if (full.ok || full.problem.kind !== 'invalid') return full;
  return invalid(full.problem.message, context);
}

/** The hint for a deadline Herold could not read, with this schedule's own dates. */
export function deadlineExamples(context: DeadlineContext): string {
  const later = context.deadline.setZone(context.zone).plus({ hours: 1 });
  return `Write a time of day on the window's day (${later.toFormat('HH:mm')}), a delay after the current deadline (+30m, +1h), or a full local time (${later.toFormat("yyyy-MM-dd'T'HH:mm")}).`;
}

function localIso(day: DateTime, hour: number, minute: number): string {
  return `${day.toFormat('yyyy-MM-dd')}T${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}`;
}

function invalid(message: string, context: DeadlineContext): LocalTimeResult {
  return { ok: false, problem: { kind: 'invalid', message, hint: deadlineExamples(context) } };
}
