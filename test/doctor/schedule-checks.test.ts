import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, test } from 'vitest';
import { scheduleCheck } from '../../src/doctor/schedule-checks.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const SEED = path.join(ROOT, 'schedules', 'wien-rocks-2023-02-12.yaml');
const tmp = mkdtempSync(path.join(tmpdir(), 'herold-doctor-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

test('the seed schedule, with its own FAQ answers, passes', () => {
  expect(scheduleCheck(SEED).result).toMatchObject({ status: 'ok', message: expect.stringMatching(/^wien-rocks-2023-02-12: valid, /) });
});

test("a schedule whose own FAQ answer does not parse fails the check with the answer's file and line", () => {
  const dir = path.join(tmp, 'templates');
  mkdirSync(path.join(dir, 'faq'), { recursive: true });
  copyFileSync(path.join(ROOT, 'templates', 'examples', 'wien-rocks', 'announcement-move.hbs'), path.join(dir, 'announcement-move.hbs'));
  writeFileSync(path.join(dir, 'faq', 'verein.hbs'), 'Unterstützen:\n{{#if schedule.contactUrl}}\n');
  const file = path.join(tmp, 'schedule.yaml');
  writeFileSync(file, readFileSync(SEED, 'utf8').replace('dir: ../templates/examples/wien-rocks', `dir: ${dir}`));
  const { result, schedule } = scheduleCheck(file);
  expect(schedule).toBeNull();
  expect(result).toMatchObject({ status: 'fail', fix: `Run herold validate ${file} for every problem.` });
  expect(result.message).toMatch(new RegExp(`^${path.join(dir, 'faq', 'verein.hbs')}:\\d+: The template does not parse: `));
});
