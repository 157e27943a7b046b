import type { TemplateRenderer } from './template-renderer.ts';
import { tootContext } from './toot-context.ts';
import type { Problem } from '../errors.ts';
import { FileProblemsError, ScheduleError } from '../errors.ts';
import { initialProgress, type Progress, type TaskProgress } from '../schedule/progress.ts';
import type { Schedule } from '../schedule/schedule.ts';

export interface CheckedToot {
  /** e.g. "reminder ein-tag-vorher", "progress 3/9". */
  readonly name: string;
  readonly template: string;
  readonly length: number;
}

export interface TootCheck {
  readonly toots: readonly CheckedToot[];
  readonly longest: CheckedToot;
  readonly limit: number;
}

/**
 * Renders every toot the schedule can produce (each reminder and
 * announcement, the start, every progress state from none to all tasks done,
 * each milestone, completion, back-out, date change and cancellation) and
 * checks each against the character limit. Throws ScheduleError listing every
 * template error and every toot over the limit.
 */
/** Nothing a reader would see: whitespace and invisible format characters only. */
function isBlank(text: string): boolean {
  return text.replace(/[\s\u200b-\u200d\u2060\ufeff]/gu, '') === '';
}

export function checkToots(schedule: Schedule, renderer: TemplateRenderer, limit = schedule.maxCharacters): TootCheck {
  const toots: CheckedToot[] = [];
  const problems: Problem[] = [];
  const { start, deadline } = schedule.window;
  const t = schedule.templates;

  const check = (name: string, template: string, progress: Progress, at = start, extras = {}) => {
    try {
      const { text, length } = renderer.render(template, tootContext(schedule, progress, at, extras));
      toots.push({ name, template, length });
      if (isBlank(text)) {
        problems.push({
          file: renderer.file(template),
          message: `The ${name} toot renders empty; Mastodon refuses an empty toot ("Text can't be blank"), so it would never go out.`,
          hint: 'Give the template text that shows in this state too (check its {{#if}} blocks and variable names).',
        });
        return;
      }
      if (length > limit) {
        problems.push({
          file: renderer.file(template),
          message: `The ${name} toot is ${length} characters, ${length - limit} over the limit of ${limit}.`,
          hint: 'Shorten the template (or the task titles), or set maxCharacters in the schedule if the instance allows longer toots.',
        });
      }
    } catch (error) {
      if (!(error instanceof FileProblemsError)) throw error;
      for (const p of error.problems) {
        if (!problems.some((q) => q.file === p.file && q.line === p.line && q.message === p.message)) problems.push(p);
      }
    }
  };

  let progress = initialProgress(schedule);
  for (const a of schedule.announcements) check(`announcement ${a.id}`, a.template, progress, a.at, { entry: a });
  for (const r of schedule.reminders) check(`reminder ${r.id}`, r.template, progress, r.at, { entry: r });

  progress = { ...progress, phase: 'running' };
  check('start', t.start, progress);
  const total = schedule.tasks.length;
  check(`progress 0/${total}`, t.progress, progress);
  // One task more done per state. Updated in place: copying every task's state for each state (withTask) made this quadratic in copies alone.
  const states: Record<string, TaskProgress> = { ...progress.tasks };
  progress = { ...progress, tasks: states };
  schedule.tasks.forEach((task, i) => {
    states[task.id] = { status: 'done', changedAt: task.at ?? start, note: null };
    check(`progress ${i + 1}/${total}`, t.progress, progress);
    if (task.milestone !== null) check(`milestone ${task.id}`, t.milestone, progress, task.at ?? start, { taskId: task.id });
  });
  const lastAt = schedule.tasks.reduce((latest, task) => (task.at && task.at > latest ? task.at : latest), start);
  check('progress (complete)', t.progress, { ...progress, phase: 'complete', endedAt: lastAt }, lastAt);
  check('complete', t.complete, { ...progress, phase: 'complete', endedAt: lastAt }, lastAt);
  check('start (late)', t.start, { ...initialProgress(schedule), phase: 'running' }, start.plus({ hours: 1 }), { plannedAt: start });
  // Back-out with nothing done, and with all but the last task done (every milestone to take back).
  const backedOut = (p: Progress): Progress => ({ ...p, phase: 'backout', endedAt: deadline });
  const allButLast = { ...progress, tasks: { ...states, [schedule.tasks.at(-1)!.id]: { status: 'pending', changedAt: null, note: null } } } satisfies Progress;
  for (const [name, state] of [['nothing done', initialProgress(schedule)], ['all but the last task done', allButLast]] as const) {
    check(`progress (back-out, ${name})`, t.progress, backedOut(state), deadline);
    check(`backout (${name})`, t.backout, backedOut(state), deadline);
  }
  check('date-changed', t['date-changed'], initialProgress(schedule), start.minus({ days: 7 }), {
    previousStart: start.minus({ days: 7 }),
  });
  check('cancelled', t.cancelled, { ...initialProgress(schedule), phase: 'cancelled' }, start.minus({ days: 1 }));
  check('deadline-moved', t['deadline-moved'], { ...progress, phase: 'running', deadline: deadline.plus({ hours: 1 }) }, start.plus({ hours: 1 }));
  for (const task of schedule.tasks.filter((x) => x.milestone !== null)) {
    const failed = { ...progress, phase: 'running', tasks: { ...progress.tasks, [task.id]: { status: 'failed', changedAt: task.at ?? start, note: 'Das Upgrade hängt, wir schauen es uns an.' } } } satisfies Progress;
    check(`correction ${task.id}`, t.correction, failed, task.at ?? start, { taskId: task.id });
  }

  if (problems.length > 0) throw new ScheduleError(problems);
  const longest = toots.reduce((a, b) => (b.length > a.length ? b : a));
  return { toots, longest, limit };
}
