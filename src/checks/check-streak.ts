/**
 * A check's verdict over time. Single results flicker (a resolver that has not
 * caught up, one slow answer), so the verdict only turns after `passes`
 * results in a row agree; the first verdict comes the same way.
 */
export interface Streak {
  /** The verdict: null until `passes` results in a row have agreed once. */
  readonly passing: boolean | null;
  /** When the verdict last turned (ISO), null before the first. */
  readonly since: string | null;
  /** How many of the latest results in a row agree with the latest one. */
  readonly run: number;
  /** The latest single result. */
  readonly last: boolean | null;
}

export const NO_STREAK: Streak = { passing: null, since: null, run: 0, last: null };

/** The streak after one more result; `turned` tells whether the verdict changed. */
export function nextStreak(streak: Streak, ok: boolean, passes: number, at: string): { streak: Streak; turned: boolean } {
  const run = streak.last === ok ? streak.run + 1 : 1;
  const turned = run >= passes && streak.passing !== ok;
  return {
    streak: { passing: turned ? ok : streak.passing, since: turned ? at : streak.since, run, last: ok },
    turned,
  };
}
