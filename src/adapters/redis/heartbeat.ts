import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { RedisConnection } from './connect.ts';
import type { Schedule } from '../../schedule/schedule.ts';
import type { ScheduleSource } from '../../schedule/schedule-source.ts';
import { HEROLD_VERSION } from '../../version.ts';
import { ServiceRegistry, type Heartbeat } from './service-registry.ts';

/** A beat every 5 s: a service counts as running for 30 s after its last one, so a few missed beats don't matter. */
export const HEARTBEAT_INTERVAL_MS = 5000;

export interface HeartbeatOptions {
  readonly redis: RedisConnection;
  readonly prefix: string;
  /** Read at every beat: a reloaded schedule shows at the next one. */
  readonly schedules: () => Iterable<Schedule>;
  readonly sources: () => ReadonlyMap<string, ScheduleSource>;
  /** Why the FAQ did not load (file:line), or null: `herold status` shows it. */
  readonly faqProblem?: () => string | null;
  readonly onError?: (error: Error) => void;
  readonly intervalMs?: number;
}

export interface HeartbeatHandle {
  readonly instance: string;
  /** Beats now (after a reload, so `herold status` shows the new version at once) and stores the sources. */
  beat(): Promise<void>;
  /** Stops beating and says goodbye: from now on this service is not running. */
  stop(): Promise<void>;
}

/** Stores the schedule files and starts beating; the first beat is written before this resolves. */
export async function startHeartbeat(options: HeartbeatOptions): Promise<HeartbeatHandle> {
  const registry = new ServiceRegistry(options.redis, options.prefix);
  const instance = `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  const startedAt = new Date().toISOString();
  const heartbeat = (): Heartbeat => {
    const faqProblem = options.faqProblem?.() ?? null;
    return {
      instance,
      version: HEROLD_VERSION,
      startedAt,
      beatAt: new Date().toISOString(),
      schedules: [...options.schedules()].map((s) => ({ id: s.id, file: options.sources().get(s.id)?.file ?? s.file, hash: options.sources().get(s.id)?.hash ?? null })),
      ...(faqProblem === null ? {} : { faqProblem }),
    };
  };
  const beat = async () => {
    await registry.storeSources(options.sources().values());
    await registry.beat(heartbeat());
  };
  await beat();
  const timer = setInterval(() => void beat().catch((error: Error) => options.onError?.(error)), options.intervalMs ?? HEARTBEAT_INTERVAL_MS);
  timer.unref();
  return {
    instance,
    beat,
    stop: async () => {
      clearInterval(timer);
      await registry.leave(instance);
    },
  };
}
