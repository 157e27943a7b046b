import type { HeroldJob } from '../jobs.ts';

/** Enqueues a job; the BullMQ adapter implements it. Adding an id that exists is a no-op. */
export interface JobSink {
  add(job: HeroldJob, options?: { delayMs?: number; priority?: number }): Promise<void>;
  /** Jobs of a schedule that have not run yet, with the time they are due (epoch ms). */
  pending(scheduleId: string): Promise<PendingJob[]>;
  /** Removes a job that has not run yet; true if it was there. */
  remove(id: string): Promise<boolean>;
}

export interface PendingJob {
  readonly id: string;
  readonly dueAt: number;
  readonly state: string;
  readonly data: HeroldJob;
}
