import { finishedCount } from '../../schedule/progress.ts';
import type { Schedule } from '../../schedule/schedule.ts';
import type { ScheduleReading } from './metrics.ts';
import type { StateStore } from '../../core/ports/state-store.ts';

/** Where each maintenance stands, for the gauges (src/adapters/metrics/metrics.ts): two small Redis reads each. */
export async function scheduleReadings(schedules: ReadonlyMap<string, Schedule>, store: StateStore): Promise<ScheduleReading[]> {
  return Promise.all(
    [...schedules.values()].map(async (schedule) => {
      const [progress, edits] = await Promise.all([store.progress(schedule), store.edits(schedule.id)]);
      return {
        schedule: schedule.id,
        phase: progress.phase,
        done: finishedCount(schedule, progress),
        total: schedule.tasks.length,
        deadline: progress.deadline.toMillis(),
        lastEditAt: edits.lastEditAt,
      };
    }),
  );
}
