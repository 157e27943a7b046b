import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import type { z } from 'zod';
import { FileProblemsError, HeroldError, type Problem, ScheduleError } from '../errors.ts';
import { readTextFile } from '../files/read-text-file.ts';
import { countBack, isValidZone, parseIsoDuration, parseScheduleTime } from './local-time.ts';
import type { CheckSpec } from './check-spec.ts';
import { parseCheck, type CheckContext } from './parse-check.ts';
import { TOOT_KINDS, type Schedule, type WindowTootKind } from './schedule.ts';
import { scheduleFileSchema, type ScheduleFile } from './schedule-schema.ts';
import { parseYamlFile } from '../files/parse-yaml.ts';
import type { YamlPositions } from '../files/yaml-positions.ts';
import type { DateTime } from 'luxon';
import { shipped } from '../install-dir.ts';

/** The project's own `templates/` directory, used when a schedule names none. */
export const DEFAULT_TEMPLATES_ROOT = shipped('templates');

export const DEFAULT_MAX_CHARACTERS = 500;

/** Reads and checks a schedule file; throws ScheduleError with every problem found. */
export function loadSchedule(file: string): Schedule {
  return parseSchedule(readScheduleText(file), file);
}

/** A schedule file's text, or a one-line answer why it cannot be read. */
export function readScheduleText(file: string): string {
  try {
    return readTextFile(file, 'schedule');
  } catch (error) {
    if (error instanceof FileProblemsError) throw error;
    throw new HeroldError(
      `Cannot read the schedule file ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}. Check the path; schedules usually live in schedules/.`,
      { cause: error },
    );
  }
}

export interface ParseOptions {
  /**
   * Check that the templates exist (default true). Operator commands read the
   * schedule `herold run` stored, maybe on another machine, and post nothing themselves.
   */
  readonly templates?: boolean;
}

/** Parses schedule YAML; `file` is only used in messages and to resolve a relative templates dir. */
export function parseSchedule(text: string, file: string, options: ParseOptions = {}): Schedule {
  const { value: raw, positions } = parseYamlFile(
    text,
    file,
    'Check the indentation and quoting on this line (times like 15:00 need no quotes; texts with ": " do).',
  );
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ScheduleError([
      {
        file,
        line: 1,
        column: 1,
        message: 'The schedule must be a YAML mapping with id, instance, timezone, locale, window and tasks.',
        hint: 'See schedules/wien-rocks-2023-02-12.yaml for a complete example.',
      },
    ]);
  }
  const parsed = scheduleFileSchema.safeParse(raw);
  if (!parsed.success) {
    throw new ScheduleError(parsed.error.issues.map((issue) => zodProblem(issue, file, positions, raw)));
  }
  return buildSchedule(parsed.data, file, positions, options.templates ?? true);
}

function buildSchedule(data: ScheduleFile, file: string, positions: YamlPositions, withTemplates: boolean): Schedule {
  const problems: Problem[] = [];
  const problem = (p: readonly PropertyKey[], message: string, hint?: string) =>
    problems.push({ file, ...positions.of(p), message, hint });

  const zone = data.timezone;
  if (!isValidZone(zone)) {
    problem(
      ['timezone'],
      `"${zone}" is not an IANA time zone.`,
      'Use a name like Europe/Vienna (see the tz database), not an abbreviation like CET.',
    );
    throw new ScheduleError(problems);
  }

  const time = (p: readonly PropertyKey[], value: string): DateTime | null => {
    const result = parseScheduleTime(value, zone);
    if (result.ok) return result.value;
    problem(p, `${label(p)}: ${result.problem.message}`, result.problem.hint);
    return null;
  };
  const duration = (p: readonly PropertyKey[], value: string) => {
    const result = parseIsoDuration(value);
    if (result.ok) return result.value;
    problem(p, `${label(p)}: ${result.message}`, result.hint);
    return null;
  };

  const start = time(['window', 'start'], data.window.start);
  const deadline = time(['window', 'deadline'], data.window.deadline);
  const expectedDowntime = duration(['window', 'expectedDowntime'], data.window.expectedDowntime);
  if (expectedDowntime && expectedDowntime.toMillis() <= 0) {
    problem(['window', 'expectedDowntime'], `window.expectedDowntime must be longer than zero.`, 'Give your best estimate, like PT1H.');
  }
  if (start && deadline && deadline <= start) {
    problem(
      ['window', 'deadline'],
      `window.deadline (${deadline.toFormat('yyyy-MM-dd HH:mm')}) is not after window.start (${start.toFormat('yyyy-MM-dd HH:mm')}).`,
      'The back-out deadline must come after the start; move it later.',
    );
  }

  checkUniqueIds(
    [
      ...data.announcements.map((a, i) => ({ id: a.id, path: ['announcements', i, 'id'] as const })),
      ...data.reminders.map((r, i) => ({ id: r.id, path: ['reminders', i, 'id'] as const })),
    ],
    'announcement or reminder',
    problem,
  );
  checkUniqueIds(
    data.tasks.map((t, i) => ({ id: t.id, path: ['tasks', i, 'id'] as const })),
    'task',
    problem,
  );

  const announcements = data.announcements.flatMap((a, i) => {
    const at = time(['announcements', i, 'at'], a.at);
    if (at && start && at >= start) {
      problem(
        ['announcements', i, 'at'],
        `Announcement "${a.id}" at ${at.toFormat('yyyy-MM-dd HH:mm')} is not before window.start.`,
        'Announcements go out before the window; use the progress toot for anything during it.',
      );
    }
    return at ? [{ id: a.id, at, template: a.template }] : [];
  });

  const reminders = data.reminders.flatMap((r, i) => {
    const before = duration(['reminders', i, 'before'], r.before);
    if (!before || !start) return [];
    if (before.toMillis() <= 0) {
      problem(
        ['reminders', i, 'before'],
        `Reminder "${r.id}" has before: ${r.before}, which does not lie before window.start.`,
        'Use a positive duration like PT1H or P1D.',
      );
      return [];
    }
    return [{ id: r.id, before, at: countBack(start, before), template: r.template }];
  });

  const written = data.tasks.map((t, i) => ({
    id: t.id,
    title: t.title,
    at: t.at === undefined ? null : time(['tasks', i, 'at'], t.at),
    milestone: t.milestone === undefined || t.milestone === false ? null : t.milestone === true ? '' : t.milestone,
    check: t.check === undefined ? null : taskCheck(t.check, ['tasks', i, 'check'], { instance: data.instance, zone, windowStart: start }, problems, file, positions),
  }));
  const { tasks, outOfOrder } = inPlannedOrder(written);
  const warnings: Problem[] = outOfOrder.map(({ index, before }) => ({
    file,
    ...positions.of(['tasks', index, 'at']),
    message: `Task "${written[index]!.id}" (${written[index]!.at!.toFormat('HH:mm')}) is written before "${written[before]!.id}" (${written[before]!.at!.toFormat('HH:mm')}); toots and the status page list tasks in time order.`,
    hint: `Move "${written[index]!.id}" below "${written[before]!.id}" so the file reads like the progress toot.`,
  }));

  const templateDirs = [
    ...(data.templates?.dir ? [path.resolve(path.dirname(file), data.templates.dir)] : []),
    ...localeTemplateDirs(data.locale),
  ];
  const templates = Object.fromEntries(
    TOOT_KINDS.filter((k) => k !== 'announcement' && k !== 'reminder').map((k) => [
      k,
      data.templates?.[k as WindowTootKind] ?? k,
    ]),
  ) as Record<WindowTootKind, string>;
  if (withTemplates) checkTemplates(data, templates, templateDirs, problem);

  if (problems.length > 0 || !start || !deadline || !expectedDowntime) throw new ScheduleError(problems);

  return Object.freeze({
    file,
    id: data.id,
    instance: data.instance,
    timezone: zone,
    locale: data.locale,
    statusPage: data.statusPage ?? null,
    contact: data.contact ?? null,
    fallbackAccount: data.fallbackAccount ?? null,
    reason: data.reason ?? null,
    mastodonVersion: data.mastodonVersion ?? null,
    backoutPosts: data.backoutPosts ?? null,
    maxCharacters: data.maxCharacters ?? DEFAULT_MAX_CHARACTERS,
    templateDirs,
    window: { start, deadline, expectedDowntime },
    announcements,
    reminders,
    tasks,
    warnings,
    templates,
  });
}

/**
 * The project's templates for a locale, most specific first: "de-AT" gives
 * templates/de-AT (its own words, like "Jänner" and "bisserl") over
 * templates/de; only directories that exist.
 */
export function localeTemplateDirs(locale: string): string[] {
  const language = locale.split('-')[0]!;
  const names = locale === language ? [language] : [locale, language];
  const dirs = names.map((n) => path.join(DEFAULT_TEMPLATES_ROOT, n));
  const existing = dirs.filter((d) => existsSync(d));
  return existing.length > 0 ? existing : [dirs.at(-1)!];
}

/**
 * Tasks sorted by planned time, stable; a task without a time keeps its place
 * after the task before it. `outOfOrder` names each timed task written before
 * an earlier-timed one (index in the file, and the index it should follow).
 */
function inPlannedOrder<T extends { at: DateTime | null }>(written: readonly T[]): { tasks: T[]; outOfOrder: { index: number; before: number }[] } {
  const keys: number[] = [];
  let previous = Number.NEGATIVE_INFINITY;
  for (const task of written) {
    previous = task.at ? task.at.toMillis() : previous;
    keys.push(previous);
  }
  const order = written.map((_, i) => i).sort((a, b) => keys[a]! - keys[b]! || a - b);
  const outOfOrder: { index: number; before: number }[] = [];
  written.forEach((task, i) => {
    if (!task.at) return;
    const later = written.findIndex((other, j) => j > i && other.at !== null && other.at < task.at!);
    if (later >= 0) outOfOrder.push({ index: i, before: later });
  });
  return { tasks: order.map((i) => written[i]!), outOfOrder };
}

function taskCheck(raw: unknown, at: readonly PropertyKey[], context: CheckContext, problems: Problem[], file: string, positions: YamlPositions): CheckSpec | null {
  const parsed = parseCheck(raw, context);
  for (const p of parsed.problems) {
    problems.push({ file, ...positions.of([...at, ...p.path], { key: p.key ?? false }), message: `${label(at)}: ${p.message}`, hint: p.hint });
  }
  return parsed.spec;
}

type Report = (p: readonly PropertyKey[], message: string, hint?: string) => void;

function checkUniqueIds(entries: { id: string; path: readonly PropertyKey[] }[], what: string, problem: Report) {
  const seen = new Map<string, readonly PropertyKey[]>();
  for (const entry of entries) {
    const first = seen.get(entry.id);
    if (first) {
      problem(
        entry.path,
        `The ${what} id "${entry.id}" is used twice (first at ${label(first)}).`,
        'Every id must be unique: Herold uses it to make sure each toot goes out exactly once.',
      );
    } else {
      seen.set(entry.id, entry.path);
    }
  }
}

function checkTemplates(
  data: ScheduleFile,
  windowTemplates: Record<WindowTootKind, string>,
  dirs: readonly string[],
  problem: Report,
) {
  const available = [
    ...new Set(
      dirs.flatMap((dir) =>
        existsSync(dir)
          ? readdirSync(dir)
              .filter((f) => f.endsWith('.hbs') && !f.startsWith('_') && !f.endsWith('.compact.hbs'))
              .map((f) => f.slice(0, -4))
          : [],
      ),
    ),
  ].sort();
  const where = dirs.join(' or ');
  const check = (p: readonly PropertyKey[], name: string) => {
    if (available.includes(name)) return;
    const choices = available.length > 0 ? `Available: ${available.join(', ')}.` : `The directory ${where} has no templates.`;
    problem(p, `There is no template "${name}" in ${where}.`, `Use one of the existing templates or add ${name}.hbs. ${choices}`);
  };
  data.announcements.forEach((a, i) => check(['announcements', i, 'template'], a.template));
  data.reminders.forEach((r, i) => check(['reminders', i, 'template'], r.template));
  for (const [kind, name] of Object.entries(windowTemplates)) {
    const where = data.templates?.[kind as WindowTootKind] ? ['templates', kind] : data.templates?.dir ? ['templates', 'dir'] : ['window'];
    check(where, name);
  }
}

function zodProblem(issue: z.core.$ZodIssue, file: string, positions: YamlPositions, raw: unknown): Problem {
  const where = issue.path;
  const name = label(where);
  if (issue.code === 'unrecognized_keys') {
    const key = issue.keys[0]!;
    const known = knownKeys(where);
    return {
      file,
      ...positions.of([...where, key], { key: true }),
      message: `Unknown field "${key}"${where.length ? ` in ${name}` : ''}.`,
      hint: `Check the spelling${known ? `; the fields here are ${known}` : ''}.`,
    };
  }
  if (issue.code === 'invalid_type' && valueAt(raw, where) === undefined) {
    return {
      file,
      ...positions.of(where.slice(0, -1)),
      message: `The field ${name} is missing.`,
      hint: `Add ${String(where.at(-1))}: to ${where.length > 1 ? label(where.slice(0, -1)) : 'the top level'}.`,
    };
  }
  const expected = issue.code === 'invalid_type' ? `must be a ${issue.expected}` : issue.message;
  return {
    file,
    ...positions.of(where),
    message: `${name} ${expected}.`,
    hint: 'See schedules/wien-rocks-2023-02-12.yaml for an example.',
  };
}

function knownKeys(path: readonly PropertyKey[]): string | undefined {
  const names: Record<string, string[]> = {
    '': Object.keys(scheduleFileSchema.shape),
    window: ['start', 'deadline', 'expectedDowntime'],
    announcements: ['id', 'at', 'template'],
    reminders: ['id', 'before', 'template'],
    tasks: ['id', 'title', 'at', 'milestone', 'check'],
    templates: ['dir', ...TOOT_KINDS.filter((k) => k !== 'announcement' && k !== 'reminder')],
  };
  const top = path.length === 0 ? '' : String(path[0]);
  return names[top]?.join(', ');
}

function valueAt(raw: unknown, p: readonly PropertyKey[]): unknown {
  let node: unknown = raw;
  for (const segment of p) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<PropertyKey, unknown>)[segment];
  }
  return node;
}

/** `tasks[3].at` style name for a path. */
export function label(p: readonly PropertyKey[]): string {
  return p
    .map((s, i) => (typeof s === 'number' ? `[${s}]` : i === 0 ? String(s) : `.${String(s)}`))
    .join('');
}
