import { DateTime } from 'luxon';

/**
 * Herold's time. In production it is the system clock; a rehearsal injects a
 * virtual clock that runs faster, so every place that turns a planned time
 * into a BullMQ delay (real milliseconds) must ask the clock to convert.
 */
export interface Clock {
  /** The current time on this clock. */
  now(): DateTime;
  /** How many real milliseconds pass, from now, until `virtualMs` have passed on this clock. May be negative for the past. */
  realDelayMs(virtualMs: number): number;
  /** Real epoch ms: what BullMQ delays, lock lives and edit slots count in, whatever speed `now()` runs at. */
  realNowMs(): number;
}

export const systemClock: Clock = {
  now: () => DateTime.now(),
  realDelayMs: (virtualMs) => virtualMs,
  realNowMs: () => Date.now(),
};

/** A clock that reads `now` and runs at real speed (the older `now?: () => DateTime` option). */
export function clockFromNow(now: () => DateTime): Clock {
  return { now, realDelayMs: (virtualMs) => virtualMs, realNowMs: () => Date.now() };
}
