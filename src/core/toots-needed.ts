import type { Schedule } from '../schedule/schedule.ts';
import type { StateStore } from './ports/state-store.ts';
import { tootsStillNeeded } from './statuses-reserve.ts';

/**
 * Reads, for every loaded schedule, how many statuses its remaining toots
 * on the primary account still need: the reserve edits and answers to
 * questions leave in the 3-hour statuses budget.
 */
export function tootsNeededReader(schedules: ReadonlyMap<string, Schedule>, store: StateStore): () => Promise<number> {
  return async () => {
    let needed = 0;
    for (const schedule of schedules.values()) {
      const [progress, posted] = await Promise.all([store.progress(schedule), store.allPosted(schedule.id)]);
      needed += tootsStillNeeded(schedule, progress, new Set(posted.filter((p) => p.account === 'primary').map((p) => p.tootId)));
    }
    return needed;
  };
}
