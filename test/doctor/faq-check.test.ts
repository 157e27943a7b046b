import { appendFileSync, cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { faqCheck } from '../../src/doctor/faq-check.ts';
import { DEFAULT_FAQ_DIR, ENGLISH_FAQ_DIR } from '../../src/faq/index.ts';

const tmp = mkdtempSync(path.join(tmpdir(), 'herold-faq-check-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** A copy of the shipped FAQ (German answers and the English ones beside them), to break. */
function copyOfTheFaq(name: string): string {
  const dir = path.join(tmp, name, 'de', 'faq');
  cpSync(DEFAULT_FAQ_DIR, dir, { recursive: true });
  cpSync(ENGLISH_FAQ_DIR, path.join(tmp, name, 'en', 'faq'), { recursive: true });
  return dir;
}

test('the shipped FAQ loads: entries, both languages, the examples', async () => {
  const result = await faqCheck();
  expect(result.status).toBe('ok');
  expect(result.message).toMatch(/^11 entries with answers in de and en, \d{3} examples\.$/);
});

test('a typo in examples.tsv fails with its file and line, and says what it means for the day', async () => {
  const dir = copyOfTheFaq('typo');
  appendFileSync(path.join(dir, 'examples.tsv'), 'wann\tde\tWann geht es los?\n');
  const result = await faqCheck(dir);
  expect(result.status).toBe('fail');
  expect(result.message).toMatch(new RegExp(`^${path.join(dir, 'examples.tsv').replace(/[.\\/]/g, '\\$&')}:\\d+:1: "wann" is not an FAQ id\\.`));
  expect(result.fix).toBe('Fix it and check with `herold faq eval`. Until then herold run posts the toots but answers no question.');
});

test('a missing answer is named, with how many more problems there are', async () => {
  const dir = copyOfTheFaq('missing');
  rmSync(path.join(dir, 'dauer.hbs'));
  rmSync(path.join(dir, 'grund.hbs'));
  const result = await faqCheck(dir);
  expect(result.status).toBe('fail');
  expect(result.message).toContain('dauer.hbs');
  expect(result.message).toContain('(and 1 more)');
});
