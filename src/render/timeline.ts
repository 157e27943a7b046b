import type { DateTime } from 'luxon';
import type { RenderedToot, TemplateRenderer } from './template-renderer.ts';
import { tootContext } from './toot-context.ts';
import { initialProgress, withTask, type Progress } from '../schedule/progress.ts';
import { milestoneTootId } from '../schedule/toot-ids.ts';
import type { Schedule, Task } from '../schedule/schedule.ts';

export const TIMELINE_KINDS = ['announcement', 'reminder', 'start', 'progress', 'milestone', 'complete', 'backout'] as const;
export type TimelineKind = (typeof TIMELINE_KINDS)[number];

export interface TimelineEntry extends RenderedToot {
  readonly at: DateTime;
  readonly kind: TimelineKind;
  readonly id: string;
}

/**
 * `complete`: every task finishes at its planned time (a task without one
 * finishes together with the task before it).
 * `backout`: the first half of the tasks finish on time, the rest stay open
 * and the deadline passes.
 */
export type Scenario = 'complete' | 'backout';

/** When each task finishes in a scenario; tasks that never finish are left out. */
export function plannedCompletions(schedule: Schedule, scenario: Scenario): { task: Task; at: DateTime }[] {
  const finishing = scenario === 'complete' ? schedule.tasks : schedule.tasks.slice(0, Math.ceil(schedule.tasks.length / 2));
  let previous = schedule.window.start;
  return finishing.map((task) => {
    const at = task.at && task.at > schedule.window.start ? task.at : previous;
    previous = at;
    return { task, at };
  });
}

/**
 * Everything the schedule makes followers see, in order: the toots before the
 * window, the progress toot and each edit of it, milestone replies, and the
 * completion or back-out reply. Pure: rendering reads templates, nothing else.
 */
export function planTimeline(schedule: Schedule, renderer: TemplateRenderer, scenario: Scenario = 'complete'): TimelineEntry[] {
  const entries: TimelineEntry[] = [];
  const render = (at: DateTime, kind: TimelineKind, id: string, template: string, progress: Progress, extras = {}) =>
    entries.push({ at, kind, id, ...renderer.render(template, tootContext(schedule, progress, at, extras)) });

  let progress = initialProgress(schedule);
  for (const a of schedule.announcements) render(a.at, 'announcement', a.id, a.template, progress, { entry: a });
  for (const r of schedule.reminders) render(r.at, 'reminder', r.id, r.template, progress, { entry: r });

  const { start, deadline } = schedule.window;
  progress = { ...progress, phase: 'running' };
  render(start, 'start', 'start', schedule.templates.start, progress);

  // Tasks finishing at the same instant become one edit, as the engine coalesces them.
  const completions = plannedCompletions(schedule, scenario).sort((a, b) => a.at.toMillis() - b.at.toMillis());
  for (let i = 0; i < completions.length; ) {
    const at = completions[i]!.at;
    const batch = [];
    while (i < completions.length && completions[i]!.at.equals(at)) batch.push(completions[i++]!.task);
    for (const task of batch) progress = withTask(progress, task.id, 'done', at);
    render(at, 'progress', `progress-${batch.at(-1)!.id}`, schedule.templates.progress, progress);
    for (const task of batch.filter((t) => t.milestone !== null)) {
      render(at, 'milestone', milestoneTootId(task.id), schedule.templates.milestone, progress, { taskId: task.id });
    }
  }

  // The outcome: the progress toot's final state, then the reply.
  if (scenario === 'complete') {
    const at = completions.at(-1)?.at ?? start;
    const ended: Progress = { ...progress, phase: 'complete', endedAt: at };
    render(at, 'progress', 'progress-complete', schedule.templates.progress, ended);
    render(at, 'complete', 'complete', schedule.templates.complete, ended);
  } else {
    const ended: Progress = { ...progress, phase: 'backout', endedAt: deadline };
    render(deadline, 'progress', 'progress-backout', schedule.templates.progress, ended);
    render(deadline, 'backout', 'backout', schedule.templates.backout, ended);
  }
  // Stable: entries at the same instant keep the order they were produced in.
  return entries
    .map((entry, index) => ({ entry, index }))
    .sort((a, b) => a.entry.at.toMillis() - b.entry.at.toMillis() || a.index - b.index)
    .map(({ entry }) => entry);
}
