import type { DateTime } from 'luxon';

/**
 * How far `when` lies from `now`, short and in the page's language:
 * "in 12 Min.", "vor 3 Std.", "in 2 Tagen"; "jetzt" within a minute.
 */
export function relativeLabel(when: DateTime, now: DateTime, locale: string): string {
  const ms = when.toMillis() - now.toMillis();
  if (Math.abs(ms) < 60_000) return 'jetzt';
  // Whole minutes, hours or days, as a person would say it: "in 90 Min.", "in 5 Std.", not "in 1,5 Std.".
  const unit = Math.abs(ms) < 2 * 3_600_000 ? 'minutes' : Math.abs(ms) < 2 * 86_400_000 ? 'hours' : 'days';
  return when.toRelative({ base: now, locale, style: 'short', unit, round: true }) ?? '';
}
