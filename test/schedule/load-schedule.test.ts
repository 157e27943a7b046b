import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, unlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { FileProblemsError, HeroldError, type Problem, ScheduleError } from '../../src/errors.ts';
import { TemplateRenderer } from '../../src/render/template-renderer.ts';
import { DEFAULT_TEMPLATES_ROOT, loadSchedule, parseSchedule } from '../../src/schedule/load-schedule.ts';
import { positionOf, replaceOnce } from '../support/text-edits.ts';

const SHIPPED = fileURLToPath(new URL('../../schedules/wien-rocks-2023-02-12.yaml', import.meta.url));
const SHIPPED_TEXT = readFileSync(SHIPPED, 'utf8');
/** Parsed as if at the shipped file's place, so its relative templates.dir resolves. */
const FILE = SHIPPED;

function problemsOf(text: string, file = FILE): readonly Problem[] {
  try {
    parseSchedule(text, file);
  } catch (error) {
    if (error instanceof FileProblemsError) return error.problems;
    throw error;
  }
  throw new Error('expected a ScheduleError');
}

describe('the shipped schedule', () => {
  test('loads with every time in Europe/Vienna', () => {
    const schedule = loadSchedule(SHIPPED);
    expect(schedule.window.start.toISO()).toBe('2023-02-12T15:00:00.000+01:00');
    expect(schedule.window.deadline.toISO()).toBe('2023-02-12T20:00:00.000+01:00');
    expect(schedule.window.expectedDowntime.toISO()).toBe('PT1H');
    expect(schedule.announcements.map((a) => [a.id, a.at.toISO()])).toEqual([
      ['umzug-nach-wien', '2023-01-27T18:00:00.000+01:00'],
      ['termin', '2023-02-06T18:00:00.000+01:00'],
    ]);
    expect(schedule.reminders.map((r) => [r.id, r.at.toISO()])).toEqual([
      ['ein-tag-vorher', '2023-02-11T15:00:00.000+01:00'],
      ['eine-stunde-vorher', '2023-02-12T14:00:00.000+01:00'],
    ]);
    expect(schedule.tasks).toHaveLength(9);
    expect(schedule.tasks[1]).toMatchObject({ id: 'datenuebernahme', at: null, milestone: null });
    expect(schedule.tasks[3]!.milestone).toBe('Wir laufen jetzt auf Mastodon 4.0.');
    expect(schedule.maxCharacters).toBe(500);
    expect(schedule.templateDirs).toEqual([path.join(DEFAULT_TEMPLATES_ROOT, 'examples', 'wien-rocks'), path.join(DEFAULT_TEMPLATES_ROOT, 'de-AT'), path.join(DEFAULT_TEMPLATES_ROOT, 'de')]);
  });

  test('a missing file is a HeroldError with the path and a hint, not a ScheduleError', () => {
    const missing = path.join(os.tmpdir(), 'herold-does-not-exist.yaml');
    expect(() => loadSchedule(missing)).toThrow(HeroldError);
    expect(() => loadSchedule(missing)).toThrow(
      `Cannot read the schedule file ${missing}: ENOENT. Check the path; schedules usually live in schedules/.`,
    );
  });
});

describe('positions of YAML syntax errors', () => {
  test.each([
    ['instance: wien.rocks\n', 'instance: wien.rocks: extra\n', 'wien.rocks: extra', 'Nested mappings are not allowed in compact mappings'],
    ['timezone: Europe/Vienna\n', 'timezone: Europe/Vienna\ntimezone: UTC\n', 'timezone: UTC', 'Map keys must be unique'],
  ])('%j → %j is reported at its line and column', (from, to, needle, message) => {
    const text = replaceOnce(SHIPPED_TEXT, from, to);
    const problems = problemsOf(text);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toEqual({
      file: FILE,
      ...positionOf(text, needle),
      message: `This is not valid YAML: ${message}.`,
      hint: 'Check the indentation and quoting on this line (times like 15:00 need no quotes; texts with ": " do).',
    });
  });
});

describe('several problems at once', () => {
  test('each is reported with its own position', () => {
    let text = replaceOnce(SHIPPED_TEXT, '  - id: tls', '  - id: dns');
    text = replaceOnce(text, '    at: 2023-02-06T18:00', '    at: 2023-02-12T18:00');
    text = replaceOnce(text, '    before: PT1H', '    before: PT0S');
    const problems = problemsOf(text);
    expect(problems.map((p) => [p.line, p.column, p.message])).toEqual([
      [positionOf(text, 'dns\n    title: Neue Zertifikate').line, 9, 'The task id "dns" is used twice (first at tasks[5].id).'],
      [positionOf(text, '2023-02-12T18:00').line, 9, 'Announcement "termin" at 2023-02-12 18:00 is not before window.start.'],
      [positionOf(text, 'PT0S').line, 13, 'Reminder "eine-stunde-vorher" has before: PT0S, which does not lie before window.start.'],
    ]);
  });
});

describe('templates: { dir }', () => {
  let dir: string;
  const SHIPPED_DIR = 'templates:\n  dir: ../templates/examples/wien-rocks\n';
  const EXAMPLE = path.join(DEFAULT_TEMPLATES_ROOT, 'examples', 'wien-rocks');
  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'herold-templates-'));
    const source = path.join(DEFAULT_TEMPLATES_ROOT, 'de');
    for (const f of readdirSync(source).filter((f) => f.endsWith('.hbs'))) copyFileSync(path.join(source, f), path.join(dir, f));
    copyFileSync(path.join(EXAMPLE, 'announcement-move.hbs'), path.join(dir, 'announcement-move.hbs'));
    unlinkSync(path.join(dir, 'cancelled.hbs'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('is resolved relative to the schedule file, in front of the locale\'s own templates', () => {
    const text = replaceOnce(SHIPPED_TEXT, SHIPPED_DIR, `templates:\n  dir: ${path.basename(dir)}\n  cancelled: backout\n`);
    const schedule = parseSchedule(text, path.join(path.dirname(dir), 'schedule.yaml'));
    expect(schedule.templateDirs).toEqual([dir, path.join(DEFAULT_TEMPLATES_ROOT, 'de-AT'), path.join(DEFAULT_TEMPLATES_ROOT, 'de')]);
    expect(schedule.templates.cancelled).toBe('backout');
    expect(schedule.templates.start).toBe('start');
  });

  test('a window template missing from the directory comes from the locale\'s templates', () => {
    const text = replaceOnce(SHIPPED_TEXT, SHIPPED_DIR, `templates:\n  dir: ${path.basename(dir)}\n`);
    const schedule = parseSchedule(text, path.join(path.dirname(dir), 'schedule.yaml'));
    expect(new TemplateRenderer(schedule.templateDirs).file('cancelled')).toBe(path.join(DEFAULT_TEMPLATES_ROOT, 'de', 'cancelled.hbs'));
    expect(new TemplateRenderer(schedule.templateDirs).file('start')).toBe(path.join(dir, 'start.hbs'));
  });

  test('a window template missing everywhere is reported at templates.dir', () => {
    let text = replaceOnce(SHIPPED_TEXT, SHIPPED_DIR, `templates:\n  dir: ${path.basename(dir)}\n`);
    text = replaceOnce(text, 'locale: de-AT\n', 'locale: fr-FR\n');
    const problems = problemsOf(text, path.join(path.dirname(dir), 'schedule.yaml'));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({
      ...positionOf(text, path.basename(dir)),
      message: `There is no template "cancelled" in ${dir} or ${path.join(DEFAULT_TEMPLATES_ROOT, 'fr')}.`,
    });
    expect(problems[0]!.hint).toContain('add cancelled.hbs');
    expect(problems[0]!.hint).not.toContain('cancelled,');
  });

  test('a renamed window template that does not exist is reported at its own key', () => {
    const text = replaceOnce(SHIPPED_TEXT, SHIPPED_DIR, `${SHIPPED_DIR}  backout: zurueck\n`);
    const problems = problemsOf(text);
    const dirs = [EXAMPLE, path.join(DEFAULT_TEMPLATES_ROOT, 'de-AT'), path.join(DEFAULT_TEMPLATES_ROOT, 'de')];
    expect(problems).toEqual([expect.objectContaining({ ...positionOf(text, 'zurueck'), message: `There is no template "zurueck" in ${dirs.join(' or ')}.` })]);
  });
});

describe('tasks in planned-time order', () => {
  const suchindex = '  - id: suchindex\n    title: Suchindex aufbauen\n    at: 2023-02-12T16:30\n';
  const homeFeeds = '  - id: home-feeds\n    title: Startseiten neu aufbauen\n    at: 2023-02-12T16:50\n';

  test('the shipped schedule is written in time order: no warning', () => {
    expect(parseSchedule(SHIPPED_TEXT, FILE).warnings).toEqual([]);
  });

  test('a task written before an earlier one is listed in time order, with a warning at its line', () => {
    const text = replaceOnce(SHIPPED_TEXT, suchindex + homeFeeds, homeFeeds + suchindex);
    const schedule = parseSchedule(text, FILE);
    expect(schedule.tasks.map((t) => t.id).slice(5)).toEqual(['dns', 'suchindex', 'home-feeds', 'tls']);
    expect(schedule.warnings).toEqual([
      {
        file: FILE,
        ...positionOf(text, '2023-02-12T16:50'),
        message: 'Task "home-feeds" (16:50) is written before "suchindex" (16:30); toots and the status page list tasks in time order.',
        hint: 'Move "home-feeds" below "suchindex" so the file reads like the progress toot.',
      },
    ]);
  });

  test('a task without a time stays right after the task before it', () => {
    const text = replaceOnce(SHIPPED_TEXT, suchindex + homeFeeds, `${homeFeeds}  - id: nachher\n    title: Ohne Zeit\n${suchindex}`);
    const ids = parseSchedule(text, FILE).tasks.map((t) => t.id);
    expect(ids.slice(ids.indexOf('suchindex'))).toEqual(['suchindex', 'home-feeds', 'nachher', 'tls']);
  });
});
