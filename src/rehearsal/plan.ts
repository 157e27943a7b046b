import { readFileSync } from 'node:fs';
import { readTextFile } from '../files/read-text-file.ts';
import { DateTime, Duration } from 'luxon';
import { parse as parseYaml } from 'yaml';
import { FileProblemsError, ScheduleError, UsageError } from '../errors.ts';
import { parseQuestionSet, type LabelledQuestion } from '../faq/index.ts';
import { parseScheduleTime } from '../schedule/local-time.ts';
import { TASK_STATUSES, type TaskStatus } from '../schedule/progress.ts';
import type { Schedule } from '../schedule/schedule.ts';
import { plannedCompletions, type Scenario } from '../render/timeline.ts';
import type { SpeedSegment } from './virtual-clock.ts';

/** What the rehearsal itself does at a virtual time: play the operator, a user, or the outage. */
export type RehearsalAction =
  | { readonly type: 'task'; readonly at: DateTime; readonly taskId: string; readonly status: Exclude<TaskStatus, 'pending'>; readonly note: string | null }
  | { readonly type: 'window'; readonly at: DateTime; readonly action: 'extend' | 'backout' | 'complete' | 'cancel'; readonly to: string | null }
  | { readonly type: 'question'; readonly at: DateTime; readonly user: string; readonly expected: string; readonly text: string }
  | { readonly type: 'outage'; readonly at: DateTime; readonly down: boolean };

export interface RehearsalPlan {
  /** Virtual time the clock shows when the rehearsal starts. */
  readonly clockStart: DateTime;
  /** Virtual time the rehearsal is expected to be over (the last task or the deadline). */
  readonly expectedEnd: DateTime;
  /** Sorted by time; actions at the same time keep their order. */
  readonly actions: readonly RehearsalAction[];
  /** The part of the day that runs at the window speed. */
  readonly window: { readonly from: DateTime; readonly to: DateTime };
  readonly speed: number;
  readonly windowSpeed: number;
  readonly eventSpeed: number;
  readonly segments: readonly SpeedSegment[];
}

export interface PlanOptions {
  readonly speed: number;
  /** Speed from a few minutes before the start until a few minutes after the last task change. */
  readonly windowSpeed: number;
  /** Speed for a minute around each toot due at a planned time (announcements, reminders, start, deadline). */
  readonly eventSpeed: number;
  readonly scenario: Scenario;
  /** Operator actions from a script file; replaces the scenario's planned task completions. */
  readonly script?: readonly RehearsalAction[];
  readonly questions: readonly LabelledQuestion[];
  readonly outage: boolean;
}

/** Simulated users who ask the questions, in turn. */
export const USERS = ['anna', 'ferdl', 'mizzi', 'poldi', 'resi', 'sepp', 'vroni', 'schurli'] as const;

/** One question per FAQ entry, in this order, from the labelled set; the FAQ's greatest hits. */
const DEFAULT_QUESTION_IDS = ['termin', 'dauer', 'daten', 'erreichbarkeit', 'status', 'fallback'];

export const DEFAULT_QUESTIONS_FILE = 'test/faq-questions.tsv';

/** Used when the labelled set is not around (e.g. in the container image, which leaves out test/). */
const BUILT_IN_QUESTIONS: readonly LabelledQuestion[] = [
  { id: 'termin', question: 'Wann ist der Umzug?' },
  { id: 'dauer', question: 'Wie lange dauert der Umzug?' },
  { id: 'daten', question: 'Bleiben meine Daten erhalten?' },
  { id: 'erreichbarkeit', question: 'Is wien.rocks hin?' },
  { id: 'status', question: 'Wie ist der aktuelle Stand?' },
  { id: 'fallback', question: 'Danke!' },
];

/** The questions of a TSV file (`id<TAB>question`); without a file, a few from the labelled set. */
export function loadQuestions(file?: string): LabelledQuestion[] {
  if (file) return parseQuestionSet(readFile(file), file);
  let all: LabelledQuestion[];
  try {
    all = parseQuestionSet(readFileSync(DEFAULT_QUESTIONS_FILE, 'utf8'), DEFAULT_QUESTIONS_FILE);
  } catch {
    return [...BUILT_IN_QUESTIONS];
  }
  const picked = DEFAULT_QUESTION_IDS.map((id) => all.find((q) => q.id === id)).filter((q): q is LabelledQuestion => q !== undefined);
  return picked.length > 0 ? picked : [...BUILT_IN_QUESTIONS];
}

function readFile(file: string): string {
  try {
    return readTextFile(file, 'file');
  } catch (error) {
    // Not a regular file, or over 1 MiB: already a clear message.
    if (error instanceof FileProblemsError) throw error;
    throw new UsageError(`Cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}).`);
  }
}

/**
 * A script of operator actions (YAML list), for rehearsing another day than
 * the planned one:
 *
 *   - { at: 2023-02-12T15:10, task: datenbank, status: done, note: "schneller als gedacht" }
 *   - { at: 2023-02-12T19:30, window: extend, to: 2023-02-12T21:00 }
 *   - { at: 2023-02-12T20:30, window: backout }
 */
export function loadScript(file: string, schedule: Schedule): RehearsalAction[] {
  const problems: { file: string; line?: number; message: string; hint?: string }[] = [];
  let data: unknown;
  try {
    data = parseYaml(readFile(file));
  } catch (error) {
    if (error instanceof UsageError || error instanceof FileProblemsError) throw error;
    throw new ScheduleError([{ file, message: `The script is not valid YAML: ${(error as Error).message}`, hint: 'Write a list of { at, task, status } or { at, window } entries.' }]);
  }
  if (!Array.isArray(data)) {
    throw new ScheduleError([{ file, message: 'The script must be a YAML list.', hint: 'Start each entry with "- { at: …, task: …, status: … }".' }]);
  }
  const actions: RehearsalAction[] = [];
  data.forEach((raw: unknown, index) => {
    const entry = (raw ?? {}) as Record<string, unknown>;
    const where = `entry ${index + 1}`;
    const time = parseScheduleTime(String(entry.at ?? ''), schedule.timezone);
    if (!time.ok) {
      problems.push({ file, message: `${where}: ${time.problem.message}`, hint: time.problem.hint });
      return;
    }
    if (typeof entry.task === 'string') {
      if (!schedule.tasks.some((t) => t.id === entry.task)) {
        problems.push({ file, message: `${where}: the schedule has no task "${entry.task}".`, hint: `Its tasks are: ${schedule.tasks.map((t) => t.id).join(', ')}.` });
        return;
      }
      const status = String(entry.status ?? 'done');
      if (!TASK_STATUSES.includes(status as TaskStatus) || status === 'pending') {
        problems.push({ file, message: `${where}: "${status}" is not a task status.`, hint: 'Use running, done, failed or skipped.' });
        return;
      }
      actions.push({ type: 'task', at: time.value, taskId: entry.task, status: status as Exclude<TaskStatus, 'pending'>, note: typeof entry.note === 'string' ? entry.note : null });
    } else if (['extend', 'backout', 'complete', 'cancel'].includes(String(entry.window))) {
      const action = entry.window as 'extend' | 'backout' | 'complete' | 'cancel';
      if (action === 'extend' && typeof entry.to !== 'string') {
        problems.push({ file, message: `${where}: "window: extend" needs "to", the new deadline.`, hint: 'For example to: 2023-02-12T21:00.' });
        return;
      }
      actions.push({ type: 'window', at: time.value, action, to: typeof entry.to === 'string' ? entry.to : null });
    } else {
      problems.push({ file, message: `${where} is neither a task change nor a window action.`, hint: 'Write { at, task, status[, note] } or { at, window: extend|backout|complete|cancel[, to] }.' });
    }
  });
  if (problems.length > 0) throw new ScheduleError(problems);
  return actions;
}

/** Margin before the window that also runs at the window speed. */
const WINDOW_MARGIN = Duration.fromObject({ minutes: 5 });
/**
 * After the last task change the window speed holds for at least this much
 * real time, so the trailing edit, the completion reply and the unpin (each a
 * delayed job, see below) come at their own virtual minute.
 */
const TAIL_REAL_MS = 1000;
/**
 * The slow motion around each toot due at a planned time. Redis wakes a
 * worker waiting for a delayed job only on its next cron tick (hz 10: up to
 * 100 ms late); at 40 000-fold that would be over an hour of virtual time, and
 * "in einer Stunde" would read "in 27 Minuten". At 100-fold it is seconds.
 */
const EVENT_BEFORE = Duration.fromObject({ seconds: 5 });
/** At least a minute of virtual time, and at least this much real time (Redis' tick and the POST). */
const EVENT_AFTER = Duration.fromObject({ seconds: 60 });
const EVENT_AFTER_REAL_MS = 1000;
/** Answers go through the notification stream and the queue: give them longer. */
const QUESTION_AFTER = Duration.fromObject({ minutes: 2 });
const QUESTION_AFTER_REAL_MS = 1000;
/** The clock starts this long (virtual) before the first toot. */
const CLOCK_LEAD = Duration.fromObject({ minutes: 1 });

/**
 * The rehearsal's day: when each task changes (planned times, or the script),
 * when users ask, when the instance is down, and how fast the clock runs when.
 */
export function planRehearsal(schedule: Schedule, options: PlanOptions): RehearsalPlan {
  const { start, deadline, expectedDowntime } = schedule.window;
  const actions: RehearsalAction[] = [];

  // The instance goes down first at the start, before the operator's first change. Whether the start
  // toot still gets out is a race, as on the day: it goes out now, or when the instance is back.
  const downtimeEnd = start.plus(expectedDowntime);
  if (options.outage) {
    actions.push({ type: 'outage', at: start, down: true });
    actions.push({ type: 'outage', at: downtimeEnd, down: false });
  }

  const operator: RehearsalAction[] = options.script
    ? [...options.script]
    : plannedCompletions(schedule, options.scenario).map(({ task, at }) => ({ type: 'task', at, taskId: task.id, status: 'done', note: null }) as const);
  actions.push(...operator);

  // Questions come after each announcement and reminder, then every ten
  // minutes once the instance is back; nobody can post while it is down.
  const lastOperatorAction = operator.reduce((latest, a) => (a.at > latest ? a.at : latest), start);
  const anchors: DateTime[] = [
    ...schedule.announcements.map((a) => a.at.plus({ hours: 1 })),
    ...schedule.reminders.map((r) => r.at.plus({ minutes: 10 })),
  ].filter((at) => at < start);
  for (let at = downtimeEnd.plus({ minutes: 5 }); anchors.length < options.questions.length; at = at.plus({ minutes: 10 })) anchors.push(at);
  anchors.sort((a, b) => a.toMillis() - b.toMillis());
  options.questions.forEach((q, index) => {
    actions.push({ type: 'question', at: anchors[index]!, user: USERS[index % USERS.length]!, expected: q.id, text: q.question });
  });

  const allFinish = !options.script && options.scenario === 'complete';
  const firstToot = [...schedule.announcements.map((a) => a.at), ...schedule.reminders.map((r) => r.at), start].reduce((a, b) => (b < a ? b : a));
  const lastAction = actions.reduce((latest, a) => (a.at > latest ? a.at : latest), start);
  const expectedEnd = allFinish ? lastAction : lastAction > deadline ? lastAction : deadline;

  const windowFrom = start.minus(WINDOW_MARGIN);
  const busyUntil = [lastOperatorAction, options.outage ? downtimeEnd : start].reduce((a, b) => (b > a ? b : a));
  const tail = (at: DateTime) => at.plus({ milliseconds: Math.max(WINDOW_MARGIN.toMillis(), TAIL_REAL_MS * options.windowSpeed) });
  const windowTo = tail(busyUntil);
  const clockStart = firstToot.minus(CLOCK_LEAD);
  const after = (at: DateTime, virtual: Duration, realMs: number) => at.plus({ milliseconds: Math.max(virtual.toMillis(), realMs * options.eventSpeed) });
  const due = [...schedule.announcements.map((a) => a.at), ...schedule.reminders.map((r) => r.at), start, ...(allFinish ? [] : [deadline])];
  const segments: SpeedSegment[] = [
    { from: windowFrom, to: windowTo, speed: options.windowSpeed },
    // The back-out: the deadline check, the reply and the unpin.
    ...(allFinish ? [] : [{ from: deadline.minus(WINDOW_MARGIN), to: tail(deadline), speed: options.windowSpeed }]),
    ...due.map((at) => ({ from: at.minus(EVENT_BEFORE), to: after(at, EVENT_AFTER, EVENT_AFTER_REAL_MS), speed: options.eventSpeed })),
    ...actions.flatMap((a) =>
      a.type === 'question' ? [{ from: a.at.minus(EVENT_BEFORE), to: after(a.at, QUESTION_AFTER, QUESTION_AFTER_REAL_MS), speed: options.eventSpeed }] : [],
    ),
  ].filter((s) => s.speed < options.speed);

  return {
    clockStart,
    expectedEnd,
    actions: actions.map((a, i) => ({ a, i })).sort((x, y) => x.a.at.toMillis() - y.a.at.toMillis() || x.i - y.i).map(({ a }) => a),
    window: { from: windowFrom, to: windowTo },
    speed: options.speed,
    windowSpeed: options.windowSpeed,
    eventSpeed: options.eventSpeed,
    segments,
  };
}
