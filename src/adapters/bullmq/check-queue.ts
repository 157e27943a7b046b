import { Queue, Worker, type Job } from 'bullmq';
import type { RedisConnection } from '../redis/connect.ts';
import type { Logger } from 'pino';
import { checkJobId, type CheckJob, type CheckJobSink } from '../../checks/check-job.ts';
import { removeUnstarted } from './bullmq-adapter.ts';

/**
 * Task checks have a queue and a worker of their own: a probe may wait for
 * its whole timeout, and must never hold up a toot.
 */
export const CHECK_QUEUE_NAME = 'herold-checks';

export class CheckQueue implements CheckJobSink {
  readonly queue: Queue;

  constructor(connection: RedisConnection, prefix: string) {
    this.queue = new Queue(CHECK_QUEUE_NAME, { connection, prefix });
  }

  async add(job: CheckJob, delayMs: number): Promise<void> {
    await this.queue.add('check', job, {
      jobId: checkJobId(job),
      delay: Math.max(0, Math.round(delayMs)),
      // A run that failed (Redis gone for a moment) is tried again soon; the chain goes on from there.
      attempts: 20,
      backoff: { type: 'exponential', delay: 500 },
      // Kept an hour, so that a late repeat of "schedule the next run" finds its id taken.
      removeOnComplete: { age: 3600 },
      removeOnFail: { age: 24 * 3600 },
    });
  }

  async pending(scheduleId: string, taskId: string) {
    const jobs = await this.queue.getJobs(['delayed', 'waiting', 'prioritized', 'active', 'paused']);
    const result: { id: string; job: CheckJob; dueAt: number; state: string }[] = [];
    for (const job of jobs) {
      const data = job?.data as CheckJob | undefined;
      if (!job?.id || data?.scheduleId !== scheduleId || data.taskId !== taskId) continue;
      result.push({ id: job.id, job: data, dueAt: job.timestamp + (job.delay ?? 0), state: await job.getState() });
    }
    return result;
  }

  remove(id: string): Promise<boolean> {
    return removeUnstarted(this.queue, id);
  }

  /** The worker for check runs; one run per job, whichever replica takes it. */
  startWorker(options: { connection: RedisConnection; prefix: string; run: (job: CheckJob) => Promise<string>; log: Logger; concurrency?: number; lockDuration?: number; stalledInterval?: number }): Worker {
    const { log } = options;
    const worker = new Worker(
      CHECK_QUEUE_NAME,
      async (job: Job<CheckJob>) => {
        const result = await options.run(job.data);
        log.debug({ job: job.id, result }, 'check run');
        return result;
      },
      { connection: options.connection, prefix: options.prefix, concurrency: options.concurrency ?? 4, lockDuration: options.lockDuration ?? 30_000, stalledInterval: options.stalledInterval ?? 30_000 },
    );
    worker.on('error', (error) => log.error({ err: error.message }, 'Check worker error'));
    worker.on('failed', (job, error) => log.warn({ job: job?.id, err: error.message }, 'A check run failed; it is tried again.'));
    return worker;
  }

  close(): Promise<void> {
    return this.queue.close();
  }
}
