import type { DateTime } from 'luxon';
import type { Progress } from '../schedule/progress.ts';
import type { Schedule } from '../schedule/schedule.ts';

export interface ScheduleState {
  readonly schedule: Schedule;
  readonly progress: Progress;
}

/**
 * Which maintenance an answer talks about: the one whose window is running,
 * else the next upcoming one, else the most recent. Pure.
 *
 * Running: the worker has posted the start (phase running), or the window
 * has begun and its deadline is not reached while the start toot is still
 * on its way. Upcoming: announced, not cancelled, starting later.
 */
export function pickSchedule<T extends ScheduleState>(states: readonly T[], now: DateTime): T | null {
  const byStart = (a: T, b: T) => a.schedule.window.start.toMillis() - b.schedule.window.start.toMillis();
  const running = states.filter(
    (s) =>
      s.progress.phase === 'running' ||
      (s.progress.phase === 'announced' && s.schedule.window.start <= now && now < s.progress.deadline),
  );
  if (running.length > 0) return [...running].sort(byStart)[0]!;
  const upcoming = states.filter((s) => s.progress.phase === 'announced' && s.schedule.window.start > now);
  if (upcoming.length > 0) return [...upcoming].sort(byStart)[0]!;
  return [...states].sort(byStart).at(-1) ?? null;
}
