import type { HelperOptions } from 'handlebars';
import { DateTime, Duration } from 'luxon';

/**
 * Date and time helpers for English answers (templates/en/faq). Same inputs
 * as the German ones (luxon DateTime in the schedule's zone, the root
 * context's `now`), English words and a 24-hour clock whatever the
 * schedule's locale: "Sunday, 12 February 2023, 15:00".
 */
const LOCALE = 'en-GB';

function dateTime(value: unknown, helper: string): DateTime {
  if (DateTime.isDateTime(value)) return value.setLocale(LOCALE);
  throw new TypeError(`{{${helper}}} needs a date, got ${value === undefined ? 'nothing (is the variable name spelled right?)' : typeof value}`);
}

/** "Sunday, 12 February 2023, 15:00" */
export function date(value: unknown): string {
  return dateTime(value, 'date').toFormat('cccc, d LLLL yyyy, HH:mm');
}

/** "Sunday, 12 February 2023" */
export function day(value: unknown): string {
  return dateTime(value, 'day').toFormat('cccc, d LLLL yyyy');
}

/** "15:00" */
export function time(value: unknown): string {
  return dateTime(value, 'time').toFormat('HH:mm');
}

/** "in 30 minutes", "today at 15:00", "tomorrow at 15:00", otherwise "on Sunday, 12 February, at 15:00". */
export function relative(value: unknown, options: HelperOptions): string {
  const then = dateTime(value, 'relative');
  const now = (options.data.root as { now: DateTime }).now.setZone(then.zone);
  const minutes = Math.round(then.diff(now, 'minutes').minutes);
  if (minutes === 0) return 'now';
  if (minutes > 0 && minutes <= 90) return then.toRelative({ base: now, locale: LOCALE, unit: 'minutes' }) ?? `in ${minutes} minutes`;
  const days = Math.round(then.startOf('day').diff(now.startOf('day'), 'days').days);
  const word: Record<number, string> = { [-1]: 'yesterday', 0: 'today', 1: 'tomorrow' };
  const clock = then.toFormat('HH:mm');
  if (word[days] !== undefined) return `${word[days]} at ${clock}`;
  return `on ${then.toFormat('cccc, d LLLL')}, at ${clock}`;
}

/** "an hour", "2 hours", "1 hour and 30 minutes". */
export function duration(value: unknown): string {
  if (!Duration.isDuration(value)) throw new TypeError(`{{duration}} needs a duration, got ${typeof value}`);
  const parts = Object.fromEntries(Object.entries(value.shiftTo('days', 'hours', 'minutes').toObject()).filter(([, n]) => n !== 0));
  if (Object.keys(parts).length === 0) return 'no time';
  return Duration.fromObject(parts, { locale: LOCALE }).toHuman({ listStyle: 'long' }).replace(/^1 hour$/, 'an hour').replace(/^1 day$/, 'a day');
}

export const englishHelpers = { date, day, time, relative, duration };
