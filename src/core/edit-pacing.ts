/**
 * How far apart progress edits must be, given what is left of the 3-hour
 * statuses budget (Mastodon counts every edit like a new toot, and every
 * edit notifies everyone who boosted the toot).
 *
 * While at least half of the spare statuses (those beyond the reserve for
 * the schedule's toots) are left, the floor (HEROLD_COALESCE_MS) applies.
 * Below that, the interval moves towards the pace that spreads the spare
 * statuses evenly over the rest of the window, and reaches that pace as
 * they run out; with none left, edits wait for the reset.
 * Pure: the caller reads the budget and the clock.
 */
export interface StatusesBudget {
  /** The bucket's size, e.g. 300. */
  readonly limit: number;
  /** Statuses left in the current window. */
  readonly remaining: number;
  /** Statuses the schedules' remaining toots need (statuses-reserve.ts). */
  readonly reserve: number;
  /** Until the window resets. */
  readonly msUntilReset: number;
}

export function editIntervalMs(floorMs: number, budget: StatusesBudget): number {
  const spare = budget.remaining - budget.reserve;
  const untilReset = Math.max(0, budget.msUntilReset);
  if (spare <= 0) return Math.max(floorMs, untilReset);
  const capacity = Math.max(1, budget.limit - budget.reserve);
  const pressure = Math.min(1, Math.max(0, 1 - (2 * spare) / capacity));
  const pace = untilReset / spare;
  return Math.max(floorMs, Math.round(pace * pressure));
}
