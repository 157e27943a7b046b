import { jobId, PRIORITY, type HeroldJob } from '../../core/jobs.ts';
import type { JobSink, PendingJob } from '../../core/ports/job-queue.ts';

interface QueuedJob {
  readonly id: string;
  readonly data: HeroldJob;
  readonly dueAt: number;
  readonly priority: number;
  readonly added: number;
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
    this.jobs.set(id, { id, data: job, dueAt: this.realNowMs() + Math.max(0, options.delayMs ?? 0), priority, added: (this.added += 1) });
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
  takeDue(now = this.realNowMs()): (PendingJob & { readonly priority: number }) | null {
    const due = [...this.jobs.values()].filter((job) => job.dueAt <= now).sort((a, b) => a.dueAt - b.dueAt || a.priority - b.priority || a.added - b.added)[0];
    if (!due) return null;
    this.jobs.delete(due.id);
    this.taken.add(due.id);
    return { id: due.id, dueAt: due.dueAt, state: 'active', data: due.data, priority: due.priority };
  }
}
