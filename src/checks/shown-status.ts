import type { TaskProgress, TaskStatus } from '../schedule/progress.ts';

/** A task's status as shown to operators and on the status page: "ready" when a check saw it done and waits for confirmation. */
export type ShownStatus = TaskStatus | 'ready';

/** Ready holds until the operator speaks: any later change of the task (done, running, failed …) wins. */
export function shownStatus(task: TaskProgress, readyAt: string | null | undefined): ShownStatus {
  if (!readyAt || (task.status !== 'pending' && task.status !== 'running')) return task.status;
  if (task.changedAt && task.changedAt.toMillis() > Date.parse(readyAt)) return task.status;
  return 'ready';
}
