import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, test } from 'vitest';
import { validateCommand } from '../../src/cli/validate.ts';
import { FileProblemsError } from '../../src/errors.ts';
import { DEFAULT_FAQ_DIR, loadFaq } from '../../src/faq/index.ts';
import { loadQuestions, loadScript } from '../../src/rehearsal/plan.ts';
import { loadSchedule } from '../../src/schedule/load-schedule.ts';

// Files an attacker or a careless admin hands to Herold. The schedules in
// corpus/schedules/ and the template cases below grow with every finding.
const CORPUS = new URL('./corpus/schedules/', import.meta.url).pathname;
const WIEN = 'schedules/wien-rocks-2023-02-12.yaml';

/** The templates the seed uses, flattened into one folder: templates/de, then its own example folder on top. */
function copySeedTemplates(dir: string): void {
  cpSync('templates/de', dir, { recursive: true });
  cpSync('templates/examples/wien-rocks', dir, { recursive: true });
}

/** The seed schedule with its own template folder swapped for `dir` (relative to the copy, in tmp). */
function withTemplatesDir(dir: string): string {
  const seed = readFileSync(WIEN, 'utf8');
  const swapped = seed.replace(/^templates:\n {2}dir: .*\n/m, `templates:\n  dir: ${dir}\n`);
  if (swapped === seed) throw new Error(`${WIEN} has no "templates: dir:" block to swap`);
  return swapped;
}
const tmp = mkdtempSync(path.join(tmpdir(), 'herold-sec-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** The message `validate` gives, or '' when it passes. */
function validate(file: string): string {
  try {
    validateCommand(file, () => undefined);
    return '';
  } catch (error) {
    if (error instanceof FileProblemsError) return error.message;
    throw error;
  }
}

describe('YAML alias bombs', () => {
  test.each([
    ['alias-bomb.yaml', 3, 8],
    ['alias-in-tasks.yaml', 8, 9],
  ])('%s is a file:line error, not a ReferenceError', (name, line, column) => {
    const message = validate(path.join(CORPUS, name));
    expect(message).toContain(`${name}:${line}:${column}: The YAML aliases (*name) here expand too far`);
  });

  test('in faq.yaml too', async () => {
    const dir = path.join(tmp, 'faq-bomb');
    cpSync(DEFAULT_FAQ_DIR, dir, { recursive: true });
    writeFileSync(path.join(dir, 'faq.yaml'), readFileSync(path.join(CORPUS, 'alias-bomb.yaml')));
    await expect(loadFaq(dir)).rejects.toThrow(/faq\.yaml:3:8: The YAML aliases/);
  });
});

describe('what is not a schedule file', () => {
  const big = path.join(tmp, 'big.yaml');
  writeFileSync(big, `# ${'x'.repeat(1024 * 1024)}\n${readFileSync(WIEN, 'utf8')}`);
  test.each([
    ['/dev/zero', 'is a character device, not a regular file'],
    ['/dev/null', 'is a character device, not a regular file'],
    [tmp, 'is a directory, not a regular file'],
    [big, 'Herold reads at most 1024 KiB'],
  ])('%s is refused at once', (file, message) => {
    expect(validate(file)).toContain(message);
  });

  test('`herold validate /dev/zero` answers at once, exit 1, no stack trace', async () => {
    const started = Date.now();
    const result = await promisify(execFile)(process.execPath, ['bin/herold.js', 'validate', '/dev/zero'], { timeout: 20_000 }).then(
      () => ({ code: 0, stderr: '' }),
      (error: { code: number; stderr: string }) => ({ code: error.code, stderr: error.stderr }),
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('/dev/zero: This schedule is a character device');
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(Date.now() - started).toBeLessThan(15_000);
  });

  test('rehearsal scripts and question sets too, and `herold faq eval`', async () => {
    const schedule = loadSchedule(WIEN);
    expect(() => loadScript('/dev/zero', schedule)).toThrow('/dev/zero: This file is a character device, not a regular file.');
    expect(() => loadQuestions(tmp)).toThrow('is a directory, not a regular file');
    const { faqEvalCommand } = await import('../../src/cli/faq.ts');
    await expect(faqEvalCommand('/dev/zero', {}, () => undefined)).rejects.toThrow('This question set is a character device');
  });

  test('a template over the limit is refused too', () => {
    const dir = path.join(tmp, 'big-template');
    copySeedTemplates(dir);
    writeFileSync(path.join(dir, 'complete.hbs'), 'x'.repeat(1024 * 1024 + 1));
    const schedule = path.join(tmp, 'big-template.yaml');
    writeFileSync(schedule, withTemplatesDir('big-template'));
    expect(validate(schedule)).toContain('complete.hbs: This template is 1048577 bytes; Herold reads at most 1024 KiB');
  });
});

describe('templates that would post nothing, or read what is not a variable', () => {
  const cases: { name: string; files: Record<string, string>; problem: string }[] = [
    { name: 'an {{#if}} that is never true', files: { 'complete.hbs': '{{#if false}}x{{/if}}' }, problem: 'complete.hbs: The complete toot renders empty' },
    { name: 'only whitespace', files: { 'backout.hbs': '  \n\n\t \n' }, problem: 'backout.hbs: The backout (nothing done) toot renders empty' },
    { name: 'only invisible characters', files: { 'cancelled.hbs': '\u200b\ufeff' }, problem: 'cancelled.hbs: The cancelled toot renders empty' },
    { name: 'empty in one state only', files: { 'progress.hbs': '{{#unless (eq progress.done 3)}}Stand: {{progress.done}}{{/unless}}' }, problem: 'progress.hbs: The progress 3/9 toot renders empty' },
    { name: '{{__proto__}}', files: { 'complete.hbs': '{{__proto__}}' }, problem: 'complete.hbs:1:3: The template uses "__proto__"' },
    { name: '{{constructor}}', files: { 'complete.hbs': 'Fertig {{constructor}}' }, problem: 'complete.hbs:1:10: The template uses "constructor"' },
    { name: 'an inherited method in a loop', files: { 'milestone.hbs': 'M {{#each tasks}}{{this.hasOwnProperty}}{{/each}}' }, problem: 'milestone.hbs:1:20: The template uses "hasOwnProperty"' },
    { name: 'a bracketed segment', files: { 'start.hbs': 'Los {{schedule.[__proto__]}}' }, problem: 'start.hbs:1:7: The template uses "__proto__"' },
    { name: 'in a partial', files: { '_tabelle.hbs': '{{toString}}' }, problem: '_tabelle.hbs:1:3: The template uses "toString"' },
    { name: 'a helper argument', files: { 'reminder.hbs': 'Bald: {{datum constructor}}' }, problem: 'reminder.hbs:1:15: The template uses "constructor"' },
  ];
  test.each(cases)('$name', ({ name, files, problem }) => {
    const slug = name.replace(/[^a-z0-9]+/gi, '-');
    const dir = path.join(tmp, slug);
    copySeedTemplates(dir);
    for (const [file, text] of Object.entries(files)) writeFileSync(path.join(dir, file), text);
    const schedule = path.join(tmp, `${slug}.yaml`);
    writeFileSync(schedule, withTemplatesDir(slug));
    expect(validate(schedule)).toContain(problem);
  });

  test('the shipped templates pass', () => {
    expect(validate(WIEN)).toBe('');
    expect(loadSchedule(WIEN).id).toBe('wien-rocks-2023-02-12');
  });
});
