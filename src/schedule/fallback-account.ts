import type { Schedule } from './schedule.ts';

/** The schedule's fallback account ("@name@host"), where followers read along while the instance is down; null when none is named. */
export function fallbackAccountOf(schedule: Schedule): string | null {
  return (schedule as Schedule & { fallbackAccount?: string | null }).fallbackAccount ?? null;
}
