import { cp, mkdtemp, readFile, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { HeroldError } from '../../src/errors.ts';
import { DEFAULT_FAQ_DIR, FAQ_IDS, loadFaq, parseFaqFile } from '../../src/faq/index.ts';
import { asyncProblemsOf, problemsOf } from '../support/schedule-problems.ts';

const minimalEntries = FAQ_IDS.map((id) => `  ${id}:\n    title: Frage ${id}\n    keywords:\n      ${id}wort: 3\n`).join('');

describe('the shipped FAQ', () => {
  test('loads with every fixed id, a template for each and the fallback template', async () => {
    const faq = await loadFaq();
    expect(faq.entries.map((entry) => entry.id)).toEqual([...FAQ_IDS]);
    for (const id of [...FAQ_IDS, 'fallback']) {
      expect(faq.templates.get(id)?.source.trim().length).toBeGreaterThan(20);
    }
    expect(faq.options.threshold).toBeGreaterThan(0);
    expect(faq.entries.every((entry) => entry.title.length > 0 && entry.keywords.length >= 5)).toBe(true);
  });
});

describe('parseFaqFile', () => {
  test('accepts a minimal file and applies no settings it does not have', () => {
    const { entries, options } = parseFaqFile(`entries:\n${minimalEntries}`, 'faq.yaml');
    expect(entries).toHaveLength(FAQ_IDS.length);
    expect(entries[0]).toEqual({ id: 'termin', title: 'Frage termin', keywords: [{ text: 'terminwort', weight: 3 }] });
    expect(options.threshold).toBeUndefined();
  });

  test('reports invalid YAML with its line', () => {
    const problems = problemsOf(() => parseFaqFile('entries:\n  termin:\n    title: [unclosed\n', 'x/faq.yaml'));
    expect(problems[0]?.file).toBe('x/faq.yaml');
    expect(problems[0]?.line).toBeGreaterThanOrEqual(3);
    expect(problems[0]?.message).toMatch(/not valid YAML/);
  });

  test('reports a wrong type at the line of the value', () => {
    const text = `settings:\n  threshold: drei\nentries:\n${minimalEntries}`;
    const problems = problemsOf(() => parseFaqFile(text, 'faq.yaml'));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ file: 'faq.yaml', line: 2 });
    expect(problems[0]?.message).toMatch(/settings\.threshold/);
  });

  test('reports an unknown key and a zero weight with their lines', () => {
    const text = `entries:\n${minimalEntries}  termin:\n    title: T\n    keywords:\n      wann: 0\n    antwort: x\n`.replace(
      /  termin:\n    title: Frage termin\n    keywords:\n      terminwort: 3\n/,
      '',
    );
    const problems = problemsOf(() => parseFaqFile(text, 'faq.yaml'));
    const lines = text.split('\n');
    const zero = problems.find((problem) => /weight of 0/.test(problem.message));
    const unknown = problems.find((problem) => /antwort/.test(problem.message));
    expect(lines[(zero?.line ?? 0) - 1]).toContain('wann: 0');
    expect(lines[(unknown?.line ?? 0) - 1]).toContain('antwort');
  });

  test('rejects an entry id that cannot be a file name, at its line', () => {
    const text = `entries:\n${minimalEntries}  Wetter Frage:\n    title: W\n    keywords:\n      sonne: 3\n`;
    const problems = problemsOf(() => parseFaqFile(text, 'faq.yaml'));
    expect(problems).toEqual([expect.objectContaining({ message: '"Wetter Frage" is not a valid entry id.' })]);
    expect(text.split('\n')[(problems[0]?.line ?? 0) - 1]).toBe('  Wetter Frage:');
  });

  test('requires every fixed id and reserves "fallback"', () => {
    const text = `entries:\n  termin:\n    title: T\n    keywords:\n      wann: 2\n  fallback:\n    title: F\n    keywords:\n      hallo: 1\n`;
    const problems = problemsOf(() => parseFaqFile(text, 'faq.yaml'));
    const messages = problems.map((problem) => problem.message);
    expect(messages).toContain('The entry "dauer" is missing.');
    expect(messages.some((message) => message.includes('reserved'))).toBe(true);
    expect(problems.find((problem) => problem.message.includes('reserved'))?.line).toBe(6);
  });

  test('rejects keywords that consist only of filler words, at their line', () => {
    const text = `entries:\n${minimalEntries.replace('      dauerwort: 3\n', '      dauerwort: 3\n      ist das: 2\n')}`;
    const problems = problemsOf(() => parseFaqFile(text, 'faq.yaml'));
    expect(problems).toHaveLength(1);
    expect(problems[0]?.message).toMatch(/"ist das"/);
    expect(text.split('\n')[(problems[0]?.line ?? 0) - 1]).toContain('ist das: 2');
  });
});

describe('loadFaq', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'herold-faq-'));
    await cp(DEFAULT_FAQ_DIR, dir, { recursive: true });
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test('loads a copy of the shipped directory', async () => {
    const faq = await loadFaq(dir);
    expect(faq.dir).toBe(dir);
    expect(faq.templates.get('status')?.file).toBe(join(dir, 'status.hbs'));
  });

  test('names a missing template and an orphaned one', async () => {
    await unlink(join(dir, 'verein.hbs'));
    await writeFile(join(dir, 'wetter.hbs'), 'Sonnig.');
    const problems = await asyncProblemsOf(() => loadFaq(dir));
    expect(problems.map((problem) => problem.file).sort()).toEqual([join(dir, 'verein.hbs'), join(dir, 'wetter.hbs')]);
  });

  test('requires the fallback template', async () => {
    await unlink(join(dir, 'fallback.hbs'));
    const problems = await asyncProblemsOf(() => loadFaq(dir));
    expect(problems).toEqual([expect.objectContaining({ file: join(dir, 'fallback.hbs') })]);
  });

  test('reports a template syntax error with its line', async () => {
    await writeFile(join(dir, 'grund.hbs'), 'Erste Zeile.\n{{#if schedule.contact}}\nOffen.\n{{/each}}\n');
    const problems = await asyncProblemsOf(() => loadFaq(dir));
    expect(problems).toHaveLength(1);
    expect(problems[0]?.file).toBe(join(dir, 'grund.hbs'));
    expect(problems[0]?.line).toBeGreaterThanOrEqual(2);
  });

  test('reports faq.yaml problems with the file path', async () => {
    const file = join(dir, 'faq.yaml');
    await writeFile(file, (await readFile(file, 'utf8')).replace('threshold: 3', 'threshold: -1'));
    const problems = await asyncProblemsOf(() => loadFaq(dir));
    expect(problems[0]?.file).toBe(file);
    expect(problems[0]?.line).toBeGreaterThan(1);
  });

  test('a missing directory is a HeroldError that names the file', async () => {
    await expect(loadFaq(join(dir, 'nope'))).rejects.toThrow(HeroldError);
    await expect(loadFaq(join(dir, 'nope'))).rejects.toThrow(/faq\.yaml/);
  });
});
