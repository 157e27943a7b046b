import { DelayedError, Queue, UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Logger } from 'pino';
import { GiveUpError, RetryLaterError, WaitUntilError } from '../../errors.ts';
import type { RedisConnection } from '../redis/connect.ts';
import type { StateStore } from '../redis/state-store.ts';
import { jobId, PRIORITY, QUEUE_NAME, type HeroldJob } from '../../core/jobs.ts';
import type { JobSink, PendingJob } from '../../core/ports/job-queue.ts';
import { retryDelayMs, waitMs, type JobOutcome } from '../../core/job-outcome.ts';

/**
 * The job queue on BullMQ. Only src/adapters/bullmq/ knows BullMQ (test/architecture/imports.test.ts
 * checks it). Connections come from src/adapters/redis/connect.ts:
 * producers (CLI, webhook) fail fast when Redis is gone; the worker's
 * connection waits for Redis forever, as BullMQ requires.
 */
export class BullJobSink implements JobSink {
  readonly queue: Queue;

  constructor(connection: RedisConnection, prefix: string) {
    this.queue = new Queue(QUEUE_NAME, { connection, prefix });
  }

  async add(job: HeroldJob, options: { delayMs?: number; priority?: number } = {}): Promise<void> {
    await this.queue.add(job.type, job, {
      jobId: jobId(job),
      delay: Math.max(0, options.delayMs ?? 0),
      priority: options.priority ?? PRIORITY.schedule,
      attempts: 100_000,
      backoff: { type: 'herold' },
      removeOnComplete: { age: 7 * 24 * 3600 },
      removeOnFail: false,
    });
  }

  async pending(scheduleId: string): Promise<PendingJob[]> {
    const jobs = await this.queue.getJobs(['delayed', 'waiting', 'prioritized', 'paused']);
    const result: PendingJob[] = [];
    for (const job of jobs) {
      if (!job?.id || (job.data as HeroldJob).scheduleId !== scheduleId) continue;
      result.push({ id: job.id, dueAt: job.timestamp + (job.delay ?? 0), state: await job.getState(), data: job.data as HeroldJob });
    }
    return result.sort((a, b) => a.dueAt - b.dueAt);
  }

  remove(id: string): Promise<boolean> {
    return removeUnstarted(this.queue, id);
  }

  /** How many jobs (of every schedule) a worker is running right now. */
  running(): Promise<number> {
    return this.queue.getActiveCount();
  }

  close(): Promise<void> {
    return this.queue.close();
  }
}

/** Removes a job that has not started; true if it was there. A running or finished job stays. */
export async function removeUnstarted(queue: Queue, id: string): Promise<boolean> {
  const job = await queue.getJob(id);
  if (!job) return false;
  const state = await job.getState();
  if (state === 'active' || state === 'completed') return false;
  await job.remove();
  return true;
}

export interface WorkerOptions {
  readonly connection: RedisConnection;
  readonly prefix: string;
  readonly process: (job: HeroldJob) => Promise<JobOutcome>;
  readonly store: StateStore;
  readonly log: Logger;
  readonly maxBackoffMs: number;
  readonly concurrency?: number;
  /** How long a job's lock lasts without renewal; a dead worker's job counts as stalled after this. Default 30000. */
  readonly lockDuration?: number;
  /** How often stalled jobs are looked for and handed back. Default 30000. */
  readonly stalledInterval?: number;
  readonly maxStalledCount?: number;
  /** Real milliseconds until `virtualMs` have passed on the schedule's clock (a rehearsal's runs faster). Default: the same. */
  readonly realDelayMs?: (virtualMs: number) => number;
}

/**
 * A job failing for a reason that is not the instance's (a template error, a
 * bug) is tried this many times in all, then fails for good: it is logged at
 * error level and shown in `herold status`. An instance that is down is
 * waited for without such a limit (attempts: 100,000 with a capped backoff).
 */
export const MAX_FAULT_ATTEMPTS = 3;

/** Runs jobs and maps their outcomes and Herold's errors onto BullMQ's delay, retry, rate-limit and failure paths. */
export function startWorker(options: WorkerOptions): Worker {
  const { log, store } = options;
  const worker: Worker = new Worker(
    QUEUE_NAME,
    async (job: Job<HeroldJob>, token?: string) => {
      const realDelay = options.realDelayMs ?? ((ms: number) => ms);
      /** Back to the delayed set for `ms`, without using up an attempt. */
      const delay = async (ms: number): Promise<never> => {
        // Not via RateLimitError: BullMQ puts a prioritized job back without waking the blocked workers, so it
        // would sit out their whole block timeout (up to 10 s) after the limit has expired. A delayed job wakes them.
        await job.moveToDelayed(Date.now() + ms, token);
        throw new DelayedError();
      };
      let outcome: JobOutcome;
      try {
        outcome = await options.process(job.data);
      } catch (error) {
        if (error instanceof WaitUntilError) {
          const ms = error.waitMs(Date.now(), realDelay);
          log[error.logLevel]({ job: job.id, waitMs: ms }, error.message);
          // A rate limit pauses the whole queue; a reserved budget waits alone.
          if (error.pausesQueue) await worker.rateLimit(ms);
          return delay(ms);
        }
        if (error instanceof GiveUpError) {
          await store.recordFailure(job.data.scheduleId, { tootId: job.id ?? '?', at: new Date().toISOString(), message: error.message });
          log.error({ job: job.id, fate: 'given up' }, error.message);
          throw new UnrecoverableError(error.message);
        }
        if (error instanceof RetryLaterError) {
          log.warn({ job: job.id, attempt: job.attemptsMade + 1 }, error.message);
          throw error;
        }
        // Not the instance: a schedule or template error, or a bug. A few tries, then fail for good, loudly.
        const message = error instanceof Error ? error.message : String(error);
        const faults = await options.connection.hincrby(`${options.prefix}:job-faults`, job.id ?? '?', 1);
        if (faults >= MAX_FAULT_ATTEMPTS) {
          const reason = `failed ${faults} times for a reason other than the instance, given up: ${message}`;
          await store.recordFailure(job.data.scheduleId, { tootId: job.id ?? '?', at: new Date().toISOString(), message: reason });
          log.error({ job: job.id, err: error }, `Job ${job.id} ${reason}`);
          throw new UnrecoverableError(reason);
        }
        log.error({ job: job.id, err: error, attempt: faults }, `Job ${job.id} failed (${message}); trying again (${faults} of ${MAX_FAULT_ATTEMPTS}).`);
        throw error;
      }
      switch (outcome.kind) {
        case 'done':
          log.debug({ job: job.id, result: outcome.result }, 'job done');
          return outcome.result;
        case 'wait': {
          // A job promoted early, a busy lock, an earlier POST that may still commit: this job waits alone.
          const ms = waitMs(outcome, Date.now(), realDelay);
          log[outcome.logLevel]({ job: job.id, waitMs: ms }, outcome.reason);
          return delay(ms);
        }
        case 'retry':
          // BullMQ's back-off, using an attempt (of 100,000), as a RetryLaterError does.
          log.warn({ job: job.id, attempt: job.attemptsMade + 1 }, outcome.reason);
          throw new RetryLaterError(outcome.reason);
      }
    },
    {
      connection: options.connection,
      prefix: options.prefix,
      concurrency: options.concurrency ?? 4,
      ...(options.lockDuration !== undefined ? { lockDuration: options.lockDuration } : {}),
      ...(options.stalledInterval !== undefined ? { stalledInterval: options.stalledInterval } : {}),
      // A toot job whose worker was killed is handed over; allow that many times (a rollout, an OOM loop).
      // Past the limit BullMQ fails the job itself; the 'failed' handler below records that.
      maxStalledCount: options.maxStalledCount ?? 20,
      // Needed for worker.rateLimit(); generous, the instance's headers do the real limiting.
      limiter: { max: 1000, duration: 1000 },
      settings: {
        backoffStrategy: (attemptsMade: number) => retryDelayMs(attemptsMade, options.maxBackoffMs),
      },
    },
  );
  worker.on('error', (error) => log.error({ err: error.message }, 'Worker error'));
  // Failures BullMQ decides on its own (a job whose workers died more than maxStalledCount times) never pass
  // through the processor above: record them too, so that nothing fails without a trace in `herold status`.
  worker.on('failed', (job, error) => {
    if (!job || !/stalled more than allowable limit/.test(error.message)) return;
    const message = `Given up after its worker died ${options.maxStalledCount ?? 20} times while running it (${error.message}).`;
    log.error({ job: job.id }, message);
    void store.recordFailure((job.data as HeroldJob).scheduleId, { tootId: job.id ?? '?', at: new Date().toISOString(), message }).catch(() => undefined);
  });
  return worker;
}

/** Pauses every worker on the queue until the instance's rate-limit window resets. */
export async function pauseUntil(queue: Queue, resetAt: number): Promise<void> {
  const waitMs = resetAt - Date.now();
  if (waitMs > 0) await queue.rateLimit(waitMs);
}
