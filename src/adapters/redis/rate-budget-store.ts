import type { RedisConnection } from './connect.ts';
import { BUCKET_NAMES, type BucketName, type BucketState, type BucketStates } from '../../core/rate-budget.ts';

/**
 * The rate budget of one account in Redis, shared by every process and
 * replica and kept across restarts: one hash (one key, so Redis Cluster
 * keeps it in one slot) with a JSON BucketState per bucket.
 *
 * `update` is a compare-and-set: WATCH, read, compute (pure, rate-budget.ts),
 * MULTI/EXEC; a concurrent change by another process makes EXEC fail and
 * the update runs again on fresh counts. WATCH belongs to a connection, so
 * the store has its own, and the updates of this process queue up on it.
 */
export class RateBudgetStore {
  private readonly connection: RedisConnection;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    redis: RedisConnection,
    private readonly prefix: string,
    /** Whose budget: 'primary' or 'fallback'. */
    private readonly account: string,
  ) {
    this.connection = redis.duplicate();
    this.connection.on('error', () => undefined);
  }

  private get key(): string {
    return `${this.prefix}:budget:${this.account}`;
  }

  /** A producer connection (the CLI) starts unconnected and queues nothing offline. */
  private async ready(): Promise<void> {
    if (this.connection.status === 'wait') await this.connection.connect();
  }

  async read(): Promise<BucketStates> {
    await this.ready();
    const values = await this.connection.hmget(this.key, ...BUCKET_NAMES);
    return parse(values);
  }

  /** Runs `change` on the current states and stores what it returns, atomically across processes. */
  update<T>(change: (states: BucketStates) => { readonly states: Readonly<Record<string, BucketState>>; readonly result: T }): Promise<T> {
    const run = this.queue.then(() => this.compareAndSet(change));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async compareAndSet<T>(change: (states: BucketStates) => { readonly states: Readonly<Record<string, BucketState>>; readonly result: T }): Promise<T> {
    await this.ready();
    for (;;) {
      await this.connection.watch(this.key);
      let outcome;
      try {
        outcome = change(parse(await this.connection.hmget(this.key, ...BUCKET_NAMES)));
      } catch (error) {
        await this.connection.unwatch();
        throw error;
      }
      const fields = Object.entries(outcome.states).flatMap(([name, state]) => [name, JSON.stringify(state)]);
      if (fields.length === 0) {
        await this.connection.unwatch();
        return outcome.result;
      }
      // Kept a day past the longest window: a budget nobody touches for that long is a fresh one.
      const done = await this.connection.multi().hset(this.key, ...fields).pexpire(this.key, 27 * 3_600_000).exec();
      if (done) return outcome.result;
    }
  }

  async close(): Promise<void> {
    await this.connection.quit().catch(() => this.connection.disconnect());
  }
}

function parse(values: (string | null)[]): BucketStates {
  const states: BucketStates = {};
  BUCKET_NAMES.forEach((name: BucketName, i) => {
    const raw = values[i];
    states[name] = raw ? (JSON.parse(raw) as BucketState) : null;
  });
  return states;
}
