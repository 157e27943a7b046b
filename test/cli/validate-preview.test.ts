import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import { TemplateRenderer } from '../../src/render/template-renderer.ts';
import { checkToots } from '../../src/render/check-toots.ts';
import { parseSchedule } from '../../src/schedule/load-schedule.ts';
import { herold as run, ROOT, type Run } from '../support/herold-cli.ts';
import { positionOf, replaceOnce } from '../support/text-edits.ts';

/**
 * These tests run the real CLI (`node bin/herold.js`) as a user would, from
 * the repository root, on the shipped schedule and on broken copies of it
 * written to a temporary directory.
 */
const SHIPPED_RELATIVE = 'schedules/wien-rocks-2023-02-12.yaml';
const SHIPPED = path.join(ROOT, SHIPPED_RELATIVE);
const TEMPLATES = path.join(ROOT, 'templates', 'de');
const EXAMPLE = path.join(ROOT, 'templates', 'examples', 'wien-rocks');
const SHIPPED_DIR = 'templates:\n  dir: ../templates/examples/wien-rocks\n';
/** Copies are written to a temporary directory: their templates.dir points at the example folder absolutely. */
const SHIPPED_TEXT = readFileSync(SHIPPED, 'utf8').replace(SHIPPED_DIR, `templates:\n  dir: ${EXAMPLE}\n`);
/** Where the shipped schedule's templates come from, most specific first. */
const TEMPLATE_DIRS = [EXAMPLE, path.join(ROOT, 'templates', 'de-AT'), TEMPLATES];

// A CLI start takes about a second, much more on a busy machine; tests here run one or two.
vi.setConfig({ testTimeout: 180_000 });

const herold = (...args: string[]): Run => run(args);

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'herold-cli-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

let counter = 0;
/** Writes a schedule to the temporary directory and returns its path. */
function writeSchedule(text: string, name = `schedule-${++counter}.yaml`): string {
  const file = path.join(tmp, name);
  writeFileSync(file, text);
  return file;
}

/** The shipped schedule with `from` (which must occur exactly once) replaced by `to`. */
function variant(from: string, to: string, text = SHIPPED_TEXT): string {
  return replaceOnce(text, from, to);
}

/** Exit code 1, one ✘ report on stderr, nothing on stdout, no stack trace. Returns the problem lines. */
function expectCleanFailure(run: Run): string[] {
  expect(run.status, run.stderr).toBe(1);
  expect(run.stdout).toBe('');
  expect(run.stderr.startsWith('✘ ')).toBe(true);
  expect(run.stderr).not.toMatch(/^ {4}at /m);
  expect(run.stderr).not.toMatch(/\bat .*\.(ts|js):\d+:\d+\)?$/m);
  expect(run.stderr).not.toMatch(/node:internal|Error: /);
  return run.stderr.replace(/^✘ /, '').trimEnd().split('\n');
}

describe('herold validate on the shipped schedule', () => {
  test('exits 0 and prints a summary', () => {
    const run = herold('validate', SHIPPED_RELATIVE);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout.trimEnd().split('\n')).toEqual([
      `✔ ${SHIPPED_RELATIVE} is valid.`,
      '  wien-rocks-2023-02-12 on wien.rocks: Sonntag, 12. Februar 2023, 15:00 Uhr (Europe/Vienna), back-out at 20:00.',
      '  2 announcements, 2 reminders, 9 tasks (2 milestones).',
      '  4 task checks: upgrade (mastodonVersion, ask), funktionstests (http, ask), dns (dns, ask), tls (tls, ask).',
      '  FAQ answers of its own: infrastruktur, registrierung, verein (de); infrastruktur, registrierung, verein (en).',
      '  29 toots rendered; the longest is announcement umzug-nach-wien with 498 of 500 characters.',
    ]);
  });

  test('a window over midnight names the day of its back-out, here and in the toots', () => {
    // The seed seven hours later: Sunday 22:00 to Monday 03:00.
    const night = SHIPPED_TEXT.replace(/2023-02-12T(\d\d):(\d\d)/g, (_, h: string, m: string) => {
      const hour = Number(h) + 7;
      return `2023-02-${hour >= 24 ? 13 : 12}T${String(hour % 24).padStart(2, '0')}:${m}`;
    });
    const file = writeSchedule(night);
    const run = herold('validate', file);
    expect([run.status, run.stderr]).toEqual([0, '']);
    expect(run.stdout).toContain('Sonntag, 12. Februar 2023, 22:00 Uhr (Europe/Vienna), back-out at Montag, 13. Februar, 03:00.');
    const preview = herold('preview', file, '--json');
    const start = (JSON.parse(preview.stdout) as { kind: string; text: string }[]).find((e) => e.kind === 'start')!;
    expect(start.text).toContain('Spätestens am Montag um 03:00 Uhr ist wien.rocks wieder da.');
  });
});

describe('herold preview on the shipped schedule', () => {
  const golden = (scenario: string) =>
    JSON.parse(readFileSync(new URL(`../render/golden/wien-rocks-${scenario}.json`, import.meta.url), 'utf8')) as unknown;

  test('--json prints the complete timeline with the required entries', () => {
    const run = herold('preview', SHIPPED_RELATIVE, '--json');
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const timeline = JSON.parse(run.stdout) as { at: string; kind: string; id: string; text: string; length: number }[];
    expect(timeline).toEqual(golden('complete'));
    expect(timeline).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ at: '2023-02-11T15:00:00.000+01:00', kind: 'reminder', id: 'ein-tag-vorher' }),
        expect.objectContaining({ at: '2023-02-12T14:00:00.000+01:00', kind: 'reminder', id: 'eine-stunde-vorher' }),
        expect.objectContaining({ at: '2023-02-12T15:00:00.000+01:00', kind: 'start', id: 'start' }),
        expect.objectContaining({ kind: 'complete', id: 'complete' }),
      ]),
    );
    for (const entry of timeline) {
      expect(Object.keys(entry).sort()).toEqual(['at', 'id', 'kind', 'length', 'text']);
      expect(entry.length).toBeLessThanOrEqual(500);
    }
  });

  test('--scenario backout --json ends with a backout entry naming 20:00', () => {
    const run = herold('preview', SHIPPED_RELATIVE, '--scenario', 'backout', '--json');
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const timeline = JSON.parse(run.stdout) as { at: string; kind: string; id: string; text: string }[];
    expect(timeline).toEqual(golden('backout'));
    const backout = timeline.filter((e) => e.kind === 'backout');
    expect(backout).toHaveLength(1);
    expect(backout[0]!.at).toBe('2023-02-12T20:00:00.000+01:00');
    expect(backout[0]!.text).toContain('20:00');
    expect(timeline.some((e) => e.kind === 'complete')).toBe(false);
  });

  test('without --json prints a readable timeline', () => {
    const run = herold('preview', SHIPPED_RELATIVE);
    expect(run.status).toBe(0);
    const lines = run.stdout.split('\n');
    expect(lines[0]).toBe('wien-rocks-2023-02-12 (wien.rocks), scenario: complete, 16 entries');
    expect(run.stdout).toContain('── Sa 11.02.2023 15:00 · 2023-02-11T15:00:00.000+01:00 · reminder · ein-tag-vorher · 381/500 Zeichen');
    expect(run.stdout).toContain('   ⏰ Erinnerung: morgen um 15:00 Uhr beginnt die Wartung von wien.rocks.');
  });

  test('an unknown scenario is a usage error without a stack trace', () => {
    const run = herold('preview', SHIPPED_RELATIVE, '--scenario', 'desaster');
    expect(run.status).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain("argument 'desaster' is invalid. Allowed choices are complete, backout.");
    expect(run.stderr).not.toMatch(/^ {4}at /m);
  });
});

describe('herold validate on a broken schedule', () => {
  test('malformed YAML: position of the broken value, what is wrong and a hint', () => {
    const text = variant('instance: wien.rocks\n', 'instance: wien.rocks: extra\n');
    const file = writeSchedule(text);
    const { line, column } = positionOf(text, 'wien.rocks: extra');
    const [problem, ...rest] = expectCleanFailure(herold('validate', file));
    expect(rest).toEqual([]);
    expect(problem).toBe(
      `${file}:${line}:${column}: This is not valid YAML: Nested mappings are not allowed in compact mappings. ` +
        'Check the indentation and quoting on this line (times like 15:00 need no quotes; texts with ": " do).',
    );
    expect(line).toBe(4);
  });

  test('a file that is YAML but not a mapping', () => {
    const file = writeSchedule('- id: wien-rocks\n- instance: wien.rocks\n');
    expect(expectCleanFailure(herold('validate', file))).toEqual([
      `${file}:1:1: The schedule must be a YAML mapping with id, instance, timezone, locale, window and tasks. ` +
        'See schedules/wien-rocks-2023-02-12.yaml for a complete example.',
    ]);
  });

  test('a missing field in window: points into the window block', () => {
    const text = variant('  expectedDowntime: PT1H\n', '');
    const file = writeSchedule(text);
    // The window mapping begins with its first key, "start:".
    const { line, column } = positionOf(text, 'start: 2023-02-12T15:00');
    expect(expectCleanFailure(herold('validate', file))).toEqual([
      `${file}:${line}:${column}: The field window.expectedDowntime is missing. Add expectedDowntime: to window.`,
    ]);
  });

  test('a missing field in a task: points at that task', () => {
    const text = variant('    title: Funktionstests\n', '');
    const file = writeSchedule(text);
    const { line, column } = positionOf(text, 'id: funktionstests');
    expect(expectCleanFailure(herold('validate', file))).toEqual([
      `${file}:${line}:${column}: The field tasks[4].title is missing. Add title: to tasks[4].`,
    ]);
  });

  test('an unknown field (typo "deadlin"): the typo is named at its key, the field it should be is missing', () => {
    const text = variant('  deadline: 2023-02-12T20:00', '  deadlin: 2023-02-12T20:00');
    const file = writeSchedule(text);
    const typo = positionOf(text, 'deadlin:');
    const windowBlock = positionOf(text, 'start: 2023-02-12T15:00');
    const problems = expectCleanFailure(herold('validate', file));
    expect(problems).toHaveLength(2);
    expect(problems).toContain(
      `${file}:${typo.line}:${typo.column}: Unknown field "deadlin" in window. ` +
        'Check the spelling; the fields here are start, deadline, expectedDowntime.',
    );
    expect(problems).toContain(
      `${file}:${windowBlock.line}:${windowBlock.column}: The field window.deadline is missing. Add deadline: to window.`,
    );
    expect(typo).toEqual({ line: 21, column: 3 });
  });

  test('an unknown field in a task', () => {
    const text = variant('    title: Statische Inhalte übernehmen', '    titel: Statische Inhalte übernehmen');
    const file = writeSchedule(text);
    const typo = positionOf(text, 'titel:');
    const problems = expectCleanFailure(herold('validate', file));
    expect(problems).toContain(
      `${file}:${typo.line}:${typo.column}: Unknown field "titel" in tasks[1]. Check the spelling; the fields here are id, title, at, milestone, check.`,
    );
  });

  test('a reminder id that an announcement already uses', () => {
    const text = variant('  - id: eine-stunde-vorher', '  - id: termin');
    const file = writeSchedule(text);
    // The second "id: termin" is the reminder's; its value is the duplicate.
    const index = text.lastIndexOf('id: termin') + 'id: '.length;
    const lines = text.slice(0, index).split('\n');
    expect(expectCleanFailure(herold('validate', file))).toEqual([
      `${file}:${lines.length}:${lines.at(-1)!.length + 1}: The announcement or reminder id "termin" is used twice (first at announcements[1].id). ` +
        'Every id must be unique: Herold uses it to make sure each toot goes out exactly once.',
    ]);
    expect(lines.length).toBe(36);
  });

  test('two announcements with the same id', () => {
    const text = variant('  - id: termin', '  - id: umzug-nach-wien');
    const file = writeSchedule(text);
    const index = text.lastIndexOf('id: umzug-nach-wien') + 'id: '.length;
    const lines = text.slice(0, index).split('\n');
    expect(expectCleanFailure(herold('validate', file))).toEqual([
      `${file}:${lines.length}:${lines.at(-1)!.length + 1}: The announcement or reminder id "umzug-nach-wien" is used twice (first at announcements[0].id). ` +
        'Every id must be unique: Herold uses it to make sure each toot goes out exactly once.',
    ]);
  });

  test('two tasks with the same id', () => {
    const text = variant('  - id: tls', '  - id: dns');
    const file = writeSchedule(text);
    const index = text.lastIndexOf('id: dns') + 'id: '.length;
    const lines = text.slice(0, index).split('\n');
    expect(expectCleanFailure(herold('validate', file))).toEqual([
      `${file}:${lines.length}:${lines.at(-1)!.length + 1}: The task id "dns" is used twice (first at tasks[5].id). ` +
        'Every id must be unique: Herold uses it to make sure each toot goes out exactly once.',
    ]);
    expect(lines.length).toBe(75);
  });

  test('an unknown template', () => {
    const text = variant('    template: announcement\n', '    template: ankuendigung\n');
    const file = writeSchedule(text);
    const { line, column } = positionOf(text, 'ankuendigung');
    const [problem, ...rest] = expectCleanFailure(herold('validate', file));
    expect(rest).toEqual([]);
    expect(problem).toBe(
      `${file}:${line}:${column}: There is no template "ankuendigung" in ${TEMPLATE_DIRS.join(' or ')}. ` +
        'Use one of the existing templates or add ankuendigung.hbs. ' +
        'Available: announcement, announcement-move, backout, cancelled, complete, correction, date-changed, deadline-moved, milestone, progress, reminder, start.',
    );
  });

  describe('templates with mistakes, through templates: { dir }', () => {
    /** Copies the real templates into a fresh directory next to a schedule that uses them. */
    function brokenTemplates(template: string, from: string, to: string): { file: string; templateFile: string; source: string } {
      const dir = path.join(tmp, `templates-${++counter}`);
      mkdirSync(dir);
      for (const source of [TEMPLATES, EXAMPLE]) {
        for (const name of readdirSync(source).filter((f) => f.endsWith('.hbs'))) copyFileSync(path.join(source, name), path.join(dir, name));
      }
      const templateFile = path.join(dir, `${template}.hbs`);
      const source = variant(from, to, readFileSync(templateFile, 'utf8'));
      writeFileSync(templateFile, source);
      const file = writeSchedule(variant(`templates:\n  dir: ${EXAMPLE}\n`, `templates: { dir: ${path.basename(dir)} }\n`));
      return { file, templateFile, source };
    }

    test('the unchanged copies validate', () => {
      const dir = path.join(tmp, 'templates-copy');
      mkdirSync(dir);
      for (const source of [TEMPLATES, EXAMPLE]) {
        for (const name of readdirSync(source).filter((f) => f.endsWith('.hbs'))) copyFileSync(path.join(source, name), path.join(dir, name));
      }
      const file = writeSchedule(variant(`templates:\n  dir: ${EXAMPLE}\n`, 'templates: { dir: templates-copy }\n'));
      const run = herold('validate', file);
      expect(run.stderr).toBe('');
      expect(run.status).toBe(0);
    });

    test('FAQ answers of its own: an unknown id and one that does not parse are reported with file and line', () => {
      const dir = path.join(tmp, `templates-${++counter}`);
      mkdirSync(path.join(dir, 'faq', 'en'), { recursive: true });
      copyFileSync(path.join(EXAMPLE, 'announcement-move.hbs'), path.join(dir, 'announcement-move.hbs'));
      writeFileSync(path.join(dir, 'faq', 'verein.hbs'), 'Unterstützen:\n{{#each tasks}}{{title}}\n');
      writeFileSync(path.join(dir, 'faq', 'en', 'spenden.hbs'), 'Donate here.\n');
      const file = writeSchedule(variant(`templates:\n  dir: ${EXAMPLE}\n`, `templates: { dir: ${path.basename(dir)} }\n`));
      const problems = expectCleanFailure(herold('validate', file));
      expect(problems).toHaveLength(2);
      expect(problems[0]).toMatch(new RegExp(`^${path.join(dir, 'faq', 'verein.hbs')}:\\d+: The template does not parse: .* Check that every \\{\\{#if\\}\\} and \\{\\{#each\\}\\} is closed\\.$`));
      expect(problems[1]).toMatch(new RegExp(`^${path.join(dir, 'faq', 'en', 'spenden.hbs')}:1: There is no FAQ entry "spenden", so this answer would never be sent\\. Name the file after the entry whose answer it replaces: termin\\.hbs, .*, fallback\\.hbs\\.$`));
    });

    test('an unknown template variable ({{schedule.instanz}}) is reported once, at its line and column', () => {
      const { file, templateFile, source } = brokenTemplates(
        'reminder',
        'Wartung von {{schedule.instance}}.',
        'Wartung von {{schedule.instanz}}.',
      );
      const { line, column } = positionOf(source, 'schedule.instanz');
      const expected = `${templateFile}:${line}:${column}: The template uses "instanz", which is not a variable Herold provides. Check the spelling`;
      const validate = expectCleanFailure(herold('validate', file));
      expect(validate).toHaveLength(1);
      expect(validate[0]!.startsWith(expected), validate[0]).toBe(true);
      expect(validate[0]).toContain('schedule, window, tasks, progress, phase, now, entry, task, previousStart');
      // preview refuses the same schedule the same way
      expect(expectCleanFailure(herold('preview', file, '--json'))).toEqual(validate);
    });

    test('an unknown variable inside a helper call ({{zeitpunkt window.deadlin}}) is reported at its line and column', () => {
      const { file, templateFile, source } = brokenTemplates(
        'start',
        '{{zeitpunkt window.deadline}}',
        '{{zeitpunkt window.deadlin}}',
      );
      const { line, column } = positionOf(source, '{{zeitpunkt window.deadlin}}');
      expect(expectCleanFailure(herold('validate', file))).toEqual([
        `${templateFile}:${line}:${column}: The template cannot be rendered: {{zeitpunkt}} needs a date, got nothing (is the variable name spelled right?). ` +
          'Check the variable names and the Handlebars syntax on this line.',
      ]);
    });
  });

  test('an invalid time zone (Europe/Wein)', () => {
    const text = variant('timezone: Europe/Vienna', 'timezone: Europe/Wein');
    const file = writeSchedule(text);
    const { line, column } = positionOf(text, 'Europe/Wein');
    expect(expectCleanFailure(herold('validate', file))).toEqual([
      `${file}:${line}:${column}: "Europe/Wein" is not an IANA time zone. ` +
        'Use a name like Europe/Vienna (see the tz database), not an abbreviation like CET.',
    ]);
    expect({ line, column }).toEqual({ line: 5, column: 11 });
  });

  test.each([
    ['2023-02-30T15:00', '"2023-02-30T15:00" is not a valid time: you specified 30 (of type number) as a day, which is invalid.', 'Write it like 2023-02-12T15:00.'],
    ['12.02.2023 15:00', '"12.02.2023 15:00" is not a time Herold can read.', 'Write a local time like 2023-02-12T15:00, or add an offset like 2026-10-25T02:30+01:00.'],
  ])('an invalid time %j for window.start', (value, message, hint) => {
    const text = variant('  start: 2023-02-12T15:00', `  start: ${value}`);
    const file = writeSchedule(text);
    const { line, column } = positionOf(text, value);
    expect(expectCleanFailure(herold('validate', file))).toEqual([`${file}:${line}:${column}: window.start: ${message} ${hint}`]);
    expect({ line, column }).toEqual({ line: 20, column: 10 });
  });

  test('an invalid time on a task names the task field', () => {
    const text = variant('    at: 2023-02-12T15:10', '    at: 2023-02-12T15:70');
    const file = writeSchedule(text);
    const { line, column } = positionOf(text, '2023-02-12T15:70');
    expect(expectCleanFailure(herold('validate', file))).toEqual([
      `${file}:${line}:${column}: tasks[2].at: "2023-02-12T15:70" is not a valid time: you specified 70 (of type number) as a minute, which is invalid. Write it like 2023-02-12T15:00.`,
    ]);
  });

  test('a nonexistent local time (2026-03-29T02:30, clocks jump forward)', () => {
    const text = variant(
      '  start: 2023-02-12T15:00\n  deadline: 2023-02-12T20:00',
      '  start: 2026-03-29T02:30\n  deadline: 2026-03-29T20:00',
    );
    const file = writeSchedule(text);
    const { line, column } = positionOf(text, '2026-03-29T02:30');
    expect(expectCleanFailure(herold('validate', file))).toEqual([
      `${file}:${line}:${column}: window.start: 2026-03-29T02:30 does not exist in Europe/Vienna: the clocks jump forward over it. ` +
        'Pick a time outside the gap, or give the offset you mean explicitly.',
    ]);
  });

  test('an ambiguous local time (2026-10-25T02:30, clocks go back)', () => {
    const text = variant(
      '  start: 2023-02-12T15:00\n  deadline: 2023-02-12T20:00',
      '  start: 2026-10-25T02:30\n  deadline: 2026-10-25T20:00',
    );
    const file = writeSchedule(text);
    const { line, column } = positionOf(text, '2026-10-25T02:30');
    expect(expectCleanFailure(herold('validate', file))).toEqual([
      `${file}:${line}:${column}: window.start: 2026-10-25T02:30 exists twice in Europe/Vienna (offset +02:00 or +01:00) because the clocks go back. ` +
        'Add the offset you mean, for example 2026-10-25T02:30+02:00.',
    ]);
  });

  test('the ambiguous time with an explicit offset validates', () => {
    const file = writeSchedule(
      variant(
        '  start: 2023-02-12T15:00\n  deadline: 2023-02-12T20:00',
        '  start: 2026-10-25T02:30+01:00\n  deadline: 2026-10-25T20:00',
      ),
    );
    const run = herold('validate', file);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('Sonntag, 25. Oktober 2026, 02:30 Uhr (Europe/Vienna), back-out at 20:00.');
  });

  test('a deadline before the start', () => {
    const text = variant('  deadline: 2023-02-12T20:00', '  deadline: 2023-02-12T14:00');
    const file = writeSchedule(text);
    const { line, column } = positionOf(text, '2023-02-12T14:00');
    expect(expectCleanFailure(herold('validate', file))).toEqual([
      `${file}:${line}:${column}: window.deadline (2023-02-12 14:00) is not after window.start (2023-02-12 15:00). ` +
        'The back-out deadline must come after the start; move it later.',
    ]);
    expect({ line, column }).toEqual({ line: 21, column: 13 });
  });

  test('an announcement after the start', () => {
    const text = variant('    at: 2023-02-06T18:00', '    at: 2023-02-12T16:00');
    const file = writeSchedule(text);
    const { line, column } = positionOf(text, '2023-02-12T16:00');
    expect(expectCleanFailure(herold('validate', file))).toEqual([
      `${file}:${line}:${column}: Announcement "termin" at 2023-02-12 16:00 is not before window.start. ` +
        'Announcements go out before the window; use the progress toot for anything during it.',
    ]);
  });

  test('a reminder with a zero duration (PT0S) does not lie before the start', () => {
    const text = variant('    before: PT1H', '    before: PT0S');
    const file = writeSchedule(text);
    const { line, column } = positionOf(text, 'PT0S');
    expect(expectCleanFailure(herold('validate', file))).toEqual([
      `${file}:${line}:${column}: Reminder "eine-stunde-vorher" has before: PT0S, which does not lie before window.start. ` +
        'Use a positive duration like PT1H or P1D.',
    ]);
    expect({ line, column }).toEqual({ line: 37, column: 13 });
  });

  test('a reminder with a negative duration (-PT1H)', () => {
    const text = variant('    before: PT1H', '    before: -PT1H');
    const file = writeSchedule(text);
    const { line, column } = positionOf(text, '-PT1H');
    expect(expectCleanFailure(herold('validate', file))).toEqual([
      `${file}:${line}:${column}: reminders[1].before: "-PT1H" is a negative duration. ` +
        "Write it without a sign, like PT1H; a reminder's before already counts back from window.start.",
    ]);
  });

  test('toots over maxCharacters are each named with how much they are over', () => {
    const limit = 460;
    const text = variant('locale: de-AT\n', `locale: de-AT\nmaxCharacters: ${limit}\n`);
    const file = writeSchedule(text);
    // What the toots measure, from the same code in-process, with no limit.
    const schedule = parseSchedule(text, file);
    const all = checkToots(schedule, new TemplateRenderer(schedule.templateDirs), Number.POSITIVE_INFINITY).toots;
    const over = all.filter((t) => t.length > limit);
    expect(over.map((t) => t.name)).toEqual(['announcement umzug-nach-wien', 'start', 'start (late)', 'backout (all but the last task done)']);
    const renderer = new TemplateRenderer(schedule.templateDirs);
    const problems = expectCleanFailure(herold('validate', file));
    expect(problems).toEqual(
      over.map(
        (t) =>
          `${path.relative(ROOT, renderer.file(t.template))}: The ${t.name} toot is ${t.length} characters, ${t.length - limit} over the limit of ${limit}. ` +
          'Shorten the template (or the task titles), or set maxCharacters in the schedule if the instance allows longer toots.',
      ),
    );
    expect(problems[0]).toMatch(/^templates\/examples\/wien-rocks\/announcement-move\.hbs: /);
    expect(problems).toContain(
      'templates/de/start.hbs: The start toot is 485 characters, 25 over the limit of 460. ' +
        'Shorten the template (or the task titles), or set maxCharacters in the schedule if the instance allows longer toots.',
    );
  });

  test('very long task titles push the start and progress toots over 500', () => {
    const long = `Funktionstests: ${'Anmeldung, Timeline, Suche, Medien, Föderation, '.repeat(3)}`.slice(0, 120).trim();
    expect(long.length).toBe(120);
    const text = variant('    title: Funktionstests\n', `    title: ${JSON.stringify(long)}\n`);
    const file = writeSchedule(text);
    const schedule = parseSchedule(text, file);
    const all = checkToots(schedule, new TemplateRenderer(schedule.templateDirs), Number.POSITIVE_INFINITY).toots;
    const start = all.find((t) => t.name === 'start')!;
    expect(start.length).toBeGreaterThan(500);
    const problems = expectCleanFailure(herold('validate', file));
    expect(problems).toContain(
      `templates/de/start.hbs: The start toot is ${start.length} characters, ${start.length - 500} over the limit of 500. ` +
        'Shorten the template (or the task titles), or set maxCharacters in the schedule if the instance allows longer toots.',
    );
    expect(problems.some((p) => p.startsWith('templates/de/progress.hbs: The progress 0/9 toot is '))).toBe(true);
    expect(problems.every((p) => / over the limit of 500\. /.test(p))).toBe(true);
  });

  test.each(['validate', 'preview'])('%s on a missing file', (command) => {
    const file = path.join(tmp, 'does-not-exist.yaml');
    expect(expectCleanFailure(herold(command, file))).toEqual([
      `Cannot read the schedule file ${file}: ENOENT. Check the path; schedules usually live in schedules/.`,
    ]);
  });
});
