import type { DateTime } from 'luxon';
import type { Schedule } from '../schedule/schedule.ts';
import type { StateStore } from './ports/state-store.ts';
import { systemClock } from './ports/clock.ts';
import { pickSchedule, type ScheduleState } from '../replies/pick-schedule.ts';

/** The schedule answers talk about, with its live progress from Redis. */
export class CurrentSchedule {
  private cached: { at: number; id: string | null } | null = null;

  constructor(
    private readonly schedules: ReadonlyMap<string, Schedule>,
    private readonly store: StateStore,
    private readonly now: () => DateTime,
    /** Real epoch ms, for the one-second memory of `currentId`. */
    private readonly realNowMs: () => number = systemClock.realNowMs,
  ) {}

  get size(): number {
    return this.schedules.size;
  }

  /** Reads every loaded schedule's progress and picks (see pickSchedule). */
  async pick(): Promise<ScheduleState | null> {
    const states = await Promise.all([...this.schedules.values()].map(async (schedule) => ({ schedule, progress: await this.store.progress(schedule) })));
    return pickSchedule(states, this.now());
  }

  /** The picked schedule's id, remembered for a second: a burst of mentions needs no Redis reads per mention. */
  async currentId(): Promise<string | null> {
    if (this.cached && this.realNowMs() - this.cached.at < 1000) return this.cached.id;
    const id = (await this.pick())?.schedule.id ?? null;
    this.cached = { at: this.realNowMs(), id };
    return id;
  }
}
