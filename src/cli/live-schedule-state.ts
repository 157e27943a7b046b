import { DateTime } from 'luxon';
import { ServiceRegistry } from '../adapters/redis/service-registry.ts';
import { connectOrExplain, redisConnection } from '../adapters/redis/connect.ts';
import { StateStore } from '../adapters/redis/state-store.ts';
import { loadConfig } from '../config/config.ts';
import { pickSchedule } from '../replies/pick-schedule.ts';
import { parseSchedule } from '../schedule/load-schedule.ts';
import type { Progress } from '../schedule/progress.ts';
import type { Schedule } from '../schedule/schedule.ts';

/**
 * The schedule and live progress a running `herold run` would answer
 * questions with (the same pick as its listener), or null when no service
 * beats on this Redis and prefix (or Redis does not answer): then the caller
 * answers from the file, before the window.
 */
export async function liveScheduleState(scheduleId: string | null, env: NodeJS.ProcessEnv = process.env): Promise<{ schedule: Schedule; progress: Progress } | null> {
  const config = loadConfig(env, 'redis');
  const redis = redisConnection(config.redisUrl, 'producer');
  redis.on('error', () => undefined);
  try {
    await connectOrExplain(redis, config.redisUrl);
    const registry = new ServiceRegistry(redis, config.prefix);
    if ((await registry.live()).length === 0) return null;
    const store = new StateStore(redis, config.prefix);
    const schedules = [...(await registry.storedSources()).values()].map((s) => parseSchedule(s.text, s.file, { templates: false }));
    const states = await Promise.all(schedules.filter((s) => scheduleId === null || s.id === scheduleId).map(async (schedule) => ({ schedule, progress: await store.progress(schedule) })));
    return pickSchedule(states, DateTime.now());
  } catch {
    return null;
  } finally {
    redis.disconnect();
  }
}
