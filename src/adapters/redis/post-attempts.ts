import type { RedisConnection } from './connect.ts';
import type { PostAttempt, PostAttempts as PostAttemptsPort } from '../../core/ports/post-attempts.ts';

/**
 * "Maybe posted" markers, one per Idempotency-Key, in one hash under the
 * hash-tagged prefix. Written before each POST and removed once the status
 * id is recorded, so a marker that outlives its job means: look on the
 * server before posting again. They survive a crash and a Redis restart
 * (AOF) like the rest of the state.
 */
export class PostAttempts implements PostAttemptsPort {
  constructor(
    private readonly redis: RedisConnection,
    private readonly prefix = '{herold}',
  ) {}

  private get key() {
    return `${this.prefix}:post-attempts`;
  }

  async get(idempotencyKey: string): Promise<PostAttempt | null> {
    const raw = await this.redis.hget(this.key, idempotencyKey);
    return raw ? (JSON.parse(raw) as PostAttempt) : null;
  }

  /** Notes a POST about to be sent; it may commit until `settleAt`. Only the job holding the key's BullMQ lock calls this. */
  async begin(idempotencyKey: string, text: string, now: number, settleAt: number): Promise<void> {
    const previous = await this.get(idempotencyKey);
    const texts = previous ? [...new Set([...previous.texts, text])] : [text];
    await this.redis.hset(this.key, idempotencyKey, JSON.stringify({ firstAt: previous?.firstAt ?? now, settleAt, texts } satisfies PostAttempt));
  }

  /** Moves the time from which an empty lookup can be trusted. */
  async settle(idempotencyKey: string, settleAt: number): Promise<void> {
    const previous = await this.get(idempotencyKey);
    if (previous) await this.redis.hset(this.key, idempotencyKey, JSON.stringify({ ...previous, settleAt }));
  }

  /** The status is recorded (or nothing was ever sent): no lookup needed any more. */
  async forget(idempotencyKey: string): Promise<void> {
    await this.redis.hdel(this.key, idempotencyKey);
  }

  /**
   * Records that `statusId` is the status posted under `idempotencyKey`, so
   * that a lookup for another toot with the same text never takes it. True
   * when the status is (now or already) this key's.
   */
  async claim(statusId: string, idempotencyKey: string): Promise<boolean> {
    const claims = `${this.prefix}:status-claims`;
    if ((await this.redis.hsetnx(claims, statusId, idempotencyKey)) === 1) return true;
    return (await this.redis.hget(claims, statusId)) === idempotencyKey;
  }

  /** True when another key has claimed `statusId`. */
  async takenByOther(statusId: string, idempotencyKey: string): Promise<boolean> {
    const owner = await this.redis.hget(`${this.prefix}:status-claims`, statusId);
    return owner !== null && owner !== idempotencyKey;
  }

  /** Keys with a marker, for `herold status` and tests. */
  async all(): Promise<Record<string, PostAttempt>> {
    const raw = await this.redis.hgetall(this.key);
    return Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, JSON.parse(v) as PostAttempt]));
  }
}
