import { jobId, PRIORITY, type HeroldJob } from '../../core/jobs.ts';
import { retryDelayMs, waitMs, type JobOutcome } from '../../core/job-outcome.ts';
import type { JobSink, PendingJob } from '../../core/ports/job-queue.ts';
import type { Logger } from '../../core/ports/logger.ts';

interface QueuedJob {
  readonly id: string;
  readonly data: HeroldJob;
  readonly dueAt: number;
  readonly priority: number;
  readonly added: number;
  /** Retries so far: what BullMQ's back-off counts. */
  readonly attemptsMade: number;
}

export interface RunOptions {
  readonly log?: Logger;
  /** Real milliseconds until `scheduleMs` have passed on the schedule's clock. Default: the same. */
  readonly realDelayMs?: (scheduleMs: number) => number;
  /** The back-off's cap, as the worker's HEROLD_MAX_BACKOFF_MS. Default 60000. */
  readonly maxBackoffMs?: number;
  /** The back-off's jitter; default Math.random. */
  readonly random?: () => number;
}

/**
 * The job queue in memory: same contract as the BullMQ adapter
 * (test/adapters/job-queue.contract.ts), with `takeDue` for a test or a
 * single process to run what is due, in BullMQ's order (due time, priority,
 * then the order added). A taken job counts as completed: its id is not queued again.
 */
export class MemoryJobQueue implements JobSink {
  private readonly jobs = new Map<string, QueuedJob>();
  /** Ids of jobs taken: like BullMQ's kept completed jobs, adding one again is a no-op. */
  private readonly taken = new Set<string>();
  private added = 0;

  constructor(private readonly realNowMs: () => number = Date.now) {}

  async add(job: HeroldJob, options: { delayMs?: number; priority?: number } = {}): Promise<void> {
    const id = jobId(job);
    if (this.jobs.has(id) || this.taken.has(id)) return;
    const priority = options.priority ?? PRIORITY.schedule;
    this.jobs.set(id, { id, data: job, dueAt: this.realNowMs() + Math.max(0, options.delayMs ?? 0), priority, added: (this.added += 1), attemptsMade: 0 });
  }

  async pending(scheduleId: string): Promise<PendingJob[]> {
    const now = this.realNowMs();
    return [...this.jobs.values()]
      .filter((job) => job.data.scheduleId === scheduleId)
      .map((job) => ({ id: job.id, dueAt: job.dueAt, state: job.dueAt > now ? 'delayed' : 'prioritized', data: job.data }))
      .sort((a, b) => a.dueAt - b.dueAt);
  }

  async remove(id: string): Promise<boolean> {
    return this.jobs.delete(id);
  }

  /** Takes the next job that is due by `now`, or null; a taken job is gone from the queue, as a completed one is. */
  takeDue(now = this.realNowMs()): (PendingJob & { readonly priority: number; readonly attemptsMade: number }) | null {
    const due = [...this.jobs.values()].filter((job) => job.dueAt <= now).sort((a, b) => a.dueAt - b.dueAt || a.priority - b.priority || a.added - b.added)[0];
    if (!due) return null;
    this.jobs.delete(due.id);
    this.taken.add(due.id);
    return { id: due.id, dueAt: due.dueAt, state: 'active', data: due.data, priority: due.priority, attemptsMade: due.attemptsMade };
  }

  /**
   * Runs every job due now, in queue order, and maps each outcome as the
   * BullMQ worker does (src/adapters/bullmq/bullmq-adapter.ts), logging at the
   * same levels: done → completed; wait → back until then, no attempt used;
   * retry → back after the back-off, one attempt more. A thrown error ends the job here (the worker's
   * error fates are BullMQ's). Returns `id: result`, `id: wait <ms> ms`,
   * `id: retry in <ms> ms` or `id: <error name>` per run.
   */
  async runDue(process: (job: HeroldJob) => Promise<JobOutcome>, options: RunOptions = {}): Promise<string[]> {
    const { log } = options;
    const results: string[] = [];
    const putBack = (job: QueuedJob) => {
      this.taken.delete(job.id);
      this.jobs.set(job.id, job);
    };
    for (let job = this.takeDue(); job; job = this.takeDue()) {
      let outcome: JobOutcome;
      try {
        outcome = await process(job.data);
      } catch (error) {
        results.push(`${job.id}: ${(error as Error).name}`);
        continue;
      }
      const again = { id: job.id, data: job.data, priority: job.priority, added: (this.added += 1) };
      switch (outcome.kind) {
        case 'done':
          log?.debug({ job: job.id, result: outcome.result }, 'job done');
          results.push(`${job.id}: ${outcome.result}`);
          break;
        case 'wait': {
          const ms = waitMs(outcome, this.realNowMs(), options.realDelayMs ?? ((scheduleMs) => scheduleMs));
          log?.[outcome.logLevel]({ job: job.id, waitMs: ms }, outcome.reason);
          putBack({ ...again, dueAt: this.realNowMs() + ms, attemptsMade: job.attemptsMade });
          results.push(`${job.id}: wait ${ms} ms`);
          break;
        }
        case 'retry': {
          log?.warn({ job: job.id, attempt: job.attemptsMade + 1 }, outcome.reason);
          const ms = retryDelayMs(job.attemptsMade, options.maxBackoffMs ?? 60_000, options.random);
          putBack({ ...again, dueAt: this.realNowMs() + ms, attemptsMade: job.attemptsMade + 1 });
          results.push(`${job.id}: retry in ${Math.round(ms)} ms`);
          break;
        }
      }
    }
    return results;
  }
}
