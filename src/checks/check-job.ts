/** One run of a task's check. Each run schedules the next, so a check is one chain of delayed jobs. */
export interface CheckJob {
  readonly scheduleId: string;
  readonly taskId: string;
  /** window.start the chain belongs to (compact UTC stamp); a moved date starts a new chain and ends the old one. */
  readonly start: string;
  /** Position in the chain; with the rest it makes the job id, so a repeated "schedule the next run" adds nothing. */
  readonly seq: number;
}

/** BullMQ forbids ":" in custom ids. */
export function checkJobId(job: CheckJob): string {
  return `check.${job.scheduleId}.${job.taskId}.${job.start}.${job.seq}`;
}

/** Where check runs are queued; the BullMQ adapter implements it. */
export interface CheckJobSink {
  add(job: CheckJob, delayMs: number): Promise<void>;
  /** Runs of this check that are queued or running. */
  pending(scheduleId: string, taskId: string): Promise<{ id: string; job: CheckJob; dueAt: number; state: string }[]>;
  remove(id: string): Promise<boolean>;
}
