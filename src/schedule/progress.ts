import type { DateTime } from 'luxon';
import type { Schedule } from './schedule.ts';

export const TASK_STATUSES = ['pending', 'running', 'done', 'failed', 'skipped'] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];

export const PHASES = ['announced', 'running', 'complete', 'backout', 'cancelled'] as const;
export type Phase = (typeof PHASES)[number];

export interface TaskProgress {
  readonly status: TaskStatus;
  /** When the status last changed. */
  readonly changedAt: DateTime | null;
  readonly note: string | null;
}

/** Where a maintenance stands: the phase, each task's state and the deadline in force. */
export interface Progress {
  readonly phase: Phase;
  readonly tasks: Readonly<Record<string, TaskProgress>>;
  /** window.deadline, or a later one the operator set with `herold window … extend`. */
  readonly deadline: DateTime;
  /** When the outcome (complete or back-out) was reached; null before. */
  readonly endedAt: DateTime | null;
}

export function initialProgress(schedule: Schedule): Progress {
  return {
    phase: 'announced',
    tasks: Object.fromEntries(
      schedule.tasks.map((t) => [t.id, { status: 'pending', changedAt: null, note: null } satisfies TaskProgress]),
    ),
    deadline: schedule.window.deadline,
    endedAt: null,
  };
}

export function withTask(progress: Progress, taskId: string, status: TaskStatus, at: DateTime, note: string | null = null): Progress {
  return { ...progress, tasks: { ...progress.tasks, [taskId]: { status, changedAt: at, note } } };
}

/** Done and skipped tasks are finished; a failed task still needs the operator. */
export function isFinished(status: TaskStatus): boolean {
  return status === 'done' || status === 'skipped';
}

export function allFinished(schedule: Schedule, progress: Progress): boolean {
  return schedule.tasks.every((t) => isFinished(progress.tasks[t.id]?.status ?? 'pending'));
}

export function finishedCount(schedule: Schedule, progress: Progress): number {
  return schedule.tasks.filter((t) => isFinished(progress.tasks[t.id]?.status ?? 'pending')).length;
}
