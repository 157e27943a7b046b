import type { RedisConnection } from './connect.ts';
import type { ScheduleSource } from '../../schedule/schedule-source.ts';

/** A schedule a running `herold run` has loaded. */
export interface RunningSchedule {
  readonly id: string;
  readonly file: string;
  /** The file's hash (src/schedule/schedule-source.ts); null where the schedule did not come from a file. */
  readonly hash: string | null;
}

/** What a running `herold run` says about itself, every few seconds. */
export interface Heartbeat {
  /** This process: host, pid and a random part. */
  readonly instance: string;
  /** Herold's version (package.json). */
  readonly version: string;
  readonly startedAt: string;
  readonly beatAt: string;
  readonly schedules: readonly RunningSchedule[];
  /** Why this process answers no question (its FAQ did not load, with file:line); absent when it loaded. */
  readonly faqProblem?: string;
}

/** How long a beat counts: a service silent for longer is taken as not running. */
export const HEARTBEAT_TTL_MS = 30_000;

/**
 * Which `herold run` processes are alive on this Redis and prefix, and the
 * schedules they run. Each beat is a key that Redis expires itself after
 * HEARTBEAT_TTL_MS, so no clock but Redis's decides what is stale. The keys
 * share the prefix's hash tag: one cluster slot, as every Herold key.
 */
export class ServiceRegistry {
  private readonly members: string;
  private readonly sources: string;

  constructor(
    private readonly redis: RedisConnection,
    private readonly prefix: string,
  ) {
    this.members = `${prefix}:services`;
    this.sources = `${prefix}:schedule-sources`;
  }

  private beatKey(instance: string): string {
    return `${this.prefix}:service:${instance}`;
  }

  async beat(heartbeat: Heartbeat, ttlMs = HEARTBEAT_TTL_MS): Promise<void> {
    await this.redis.multi().set(this.beatKey(heartbeat.instance), JSON.stringify(heartbeat), 'PX', ttlMs).sadd(this.members, heartbeat.instance).exec();
  }

  /** Gone at once, not after the TTL: a stopped service is not running. */
  async leave(instance: string): Promise<void> {
    await this.redis.multi().del(this.beatKey(instance)).srem(this.members, instance).exec();
  }

  /** Every service that has beaten within the TTL. */
  async live(): Promise<Heartbeat[]> {
    const instances = await this.redis.smembers(this.members);
    if (instances.length === 0) return [];
    const beats = await this.redis.mget(...instances.map((i) => this.beatKey(i)));
    const gone = instances.filter((_, i) => beats[i] === null);
    if (gone.length > 0) await this.redis.srem(this.members, ...gone);
    return beats.flatMap((b) => (b === null ? [] : [JSON.parse(b) as Heartbeat]));
  }

  /** The schedule files a service runs, for operator commands without a file. */
  async storeSources(sources: Iterable<ScheduleSource>): Promise<void> {
    const entries = [...sources].flatMap((s) => [s.id, JSON.stringify(s)]);
    if (entries.length > 0) await this.redis.hset(this.sources, ...entries);
  }

  async storedSources(): Promise<Map<string, ScheduleSource>> {
    const all = await this.redis.hgetall(this.sources);
    return new Map(Object.entries(all).map(([id, json]) => [id, JSON.parse(json) as ScheduleSource]));
  }
}
