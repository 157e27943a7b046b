import { DateTime, Duration } from 'luxon';
import type { HelperOptions } from 'handlebars';
import type { TaskStatus } from '../schedule/progress.ts';
import { timeWithDay } from '../schedule/local-time.ts';

/**
 * Template helpers. Every date arrives as a luxon DateTime already in the
 * schedule's zone; the locale and "now" come from the template's root context,
 * so the same helper renders "morgen" in a reminder and "heute" on the day.
 */
interface Root {
  schedule: { locale: string };
  now: DateTime;
}

function root(options: HelperOptions): Root {
  return options.data.root as Root;
}

/**
 * ` - line:column` of the helper call, the suffix Handlebars uses for its own
 * strict-mode errors, so TemplateRenderer can point at the line. Strict mode
 * does not check helper arguments: a typo like `{{uhrzeit window.deadlin}}`
 * only shows up here, as an undefined value.
 */
function at(options: HelperOptions | undefined): string {
  const loc = (options as { loc?: { start?: { line: number; column: number } } } | undefined)?.loc?.start;
  return loc ? ` - ${loc.line}:${loc.column}` : '';
}

function got(value: unknown): string {
  if (value === undefined) return 'nothing (is the variable name spelled right?)';
  return value === null ? 'null' : typeof value;
}

function asDateTime(value: unknown, helper: string, options: HelperOptions): DateTime {
  if (DateTime.isDateTime(value)) return value;
  throw new TypeError(`{{${helper}}} needs a date, got ${got(value)}${at(options)}`);
}

function local(value: unknown, helper: string, options: HelperOptions): DateTime {
  return asDateTime(value, helper, options).setLocale(root(options).schedule.locale);
}

/**
 * Formatted dates, per DateTime object (immutable, so the text never
 * changes). A task's time is the same object in every toot, and validating
 * a schedule renders the progress table once per task: without this, each
 * row costs a luxon clone and a format.
 */
const formatted = new WeakMap<DateTime, Map<string, string>>();

function format(value: unknown, helper: string, pattern: string, options: HelperOptions): string {
  const dt = asDateTime(value, helper, options);
  const locale = root(options).schedule.locale;
  let texts = formatted.get(dt);
  if (!texts) {
    texts = new Map();
    formatted.set(dt, texts);
  }
  const key = `${locale}\u0000${pattern}`;
  let text = texts.get(key);
  if (text === undefined) {
    text = dt.setLocale(locale).toFormat(pattern);
    texts.set(key, text);
  }
  return text;
}

/** "Sonntag, 12. Februar 2023, 15:00 Uhr" */
export function datum(value: unknown, options: HelperOptions): string {
  return format(value, 'datum', "cccc, d. LLLL yyyy, HH:mm 'Uhr'", options);
}

/** "Sonntag, 12. Februar 2023" */
export function tag(value: unknown, options: HelperOptions): string {
  return format(value, 'tag', 'cccc, d. LLLL yyyy', options);
}

/** "15:00 Uhr" */
export function uhrzeit(value: unknown, options: HelperOptions): string {
  return format(value, 'uhrzeit', "HH:mm 'Uhr'", options);
}

/**
 * A time with its day where the reader would otherwise assume the wrong one: "um 20:00 Uhr" on the day
 * the reader has in mind, "am Montag um 03:30 Uhr" on another day of the week around it, "am Montag,
 * 13. Februar, um 03:30 Uhr" further away. The day in mind is the window's start day before the window
 * (an announcement names that day first) and today once it has begun (a progress toot after midnight).
 * For deadlines: a window from 22:00 to 03:30 ends on the next day.
 */
export function zeitpunkt(value: unknown, options: HelperOptions): string {
  const then = asDateTime(value, 'zeitpunkt', options);
  const context = root(options) as Root & { window?: { start?: unknown } };
  const start = DateTime.isDateTime(context.window?.start) ? context.window.start : null;
  return timeWithDay(then, start && start > context.now ? start : context.now, context.schedule.locale);
}

/** "15:00", for tables. */
export function zeit(value: unknown, options: HelperOptions): string {
  return format(value, 'zeit', 'HH:mm', options);
}

/**
 * Relative to the toot's own time: "in einer Stunde", "in 30 Minuten",
 * "heute um 15:00 Uhr", "morgen um 15:00 Uhr", "übermorgen um …", otherwise
 * "am Sonntag, 12. Februar, um 15:00 Uhr".
 */
export function relativ(value: unknown, options: HelperOptions): string {
  const then = local(value, 'relativ', options);
  const now = root(options).now.setZone(then.zone);
  const minutes = Math.round(then.diff(now, 'minutes').minutes);
  if (minutes > 0 && minutes <= 90) {
    if (minutes === 60) return 'in einer Stunde';
    if (minutes === 1) return 'in einer Minute';
    if (minutes < 60) return `in ${minutes} Minuten`;
    return `in einer Stunde und ${minutes - 60} Minuten`;
  }
  if (minutes === 0) return 'jetzt';
  const days = Math.round(then.startOf('day').diff(now.startOf('day'), 'days').days);
  const clock = then.toFormat("HH:mm 'Uhr'");
  const word: Record<number, string> = { [-1]: 'gestern', 0: 'heute', 1: 'morgen', 2: 'übermorgen' };
  if (word[days] !== undefined) return `${word[days]} um ${clock}`;
  return `am ${then.toFormat('cccc, d. LLLL')}, um ${clock}`;
}

/** "eine Stunde", "2 Stunden", "1 Stunde und 30 Minuten", "45 Minuten". */
export function dauer(value: unknown, options: HelperOptions): string {
  const locale = root(options).schedule.locale;
  if (!Duration.isDuration(value)) throw new TypeError(`{{dauer}} needs a duration, got ${got(value)}${at(options)}`);
  const shifted = value.shiftTo('days', 'hours', 'minutes');
  const parts = Object.fromEntries(Object.entries(shifted.toObject()).filter(([, n]) => n !== 0));
  if (Object.keys(parts).length === 0) return 'keine Zeit';
  const text = Duration.fromObject(parts, { locale }).toHuman({ listStyle: 'long' });
  return text.replace(/^1 Stunde$/, 'eine Stunde').replace(/^1 Tag$/, 'ein Tag');
}

const STATUS_LABELS: Record<TaskStatus, string> = {
  pending: 'offen',
  running: 'läuft',
  done: 'erledigt',
  failed: 'Problem',
  skipped: 'entfällt',
};

const STATUS_ICONS: Record<TaskStatus, string> = {
  pending: '⬜',
  running: '⏳',
  done: '✅',
  failed: '⚠️',
  skipped: '➖',
};

export function statuslabel(status: unknown, options?: HelperOptions): string {
  const label = STATUS_LABELS[status as TaskStatus];
  if (!label) throw new TypeError(`{{statuslabel}} got an unknown task status "${String(status)}"${at(options)}`);
  return label;
}

export function statusicon(status: unknown, options?: HelperOptions): string {
  const icon = STATUS_ICONS[status as TaskStatus];
  if (!icon) throw new TypeError(`{{statusicon}} got an unknown task status "${String(status)}"${at(options)}`);
  return icon;
}

export function eq(a: unknown, b: unknown): boolean {
  return a === b;
}

export const helpers = { datum, tag, uhrzeit, zeitpunkt, zeit, relativ, dauer, statuslabel, statusicon, eq };
