import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { herold, ROOT } from '../support/herold-cli.ts';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'herold-run-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

test('herold run refuses a schedule whose own FAQ answer names no entry, before it waits for Redis: file:line, exit 1, no stack trace', { timeout: 120_000 }, () => {
  const dir = path.join(tmp, 'templates');
  mkdirSync(path.join(dir, 'faq'), { recursive: true });
  copyFileSync(path.join(ROOT, 'templates', 'examples', 'wien-rocks', 'announcement-move.hbs'), path.join(dir, 'announcement-move.hbs'));
  writeFileSync(path.join(dir, 'faq', 'wetter.hbs'), 'Sonnig.\n');
  const file = path.join(tmp, 'schedule.yaml');
  writeFileSync(file, readFileSync(path.join(ROOT, 'schedules', 'wien-rocks-2023-02-12.yaml'), 'utf8').replace('dir: ../templates/examples/wien-rocks', `dir: ${dir}`));
  // Port 1: were the schedule accepted, run would wait for Redis there (and the timeout would end the test).
  const run = herold(['run', file], { MASTODON_URL: 'https://wien.rocks', MASTODON_ACCESS_TOKEN: 'token', REDIS_URL: 'redis://127.0.0.1:1' });
  expect(run.status, run.stderr).toBe(1);
  expect(run.stderr).toBe(`✘ ${path.join(dir, 'faq', 'wetter.hbs')}:1: There is no FAQ entry "wetter", so this answer would never be sent. Name the file after the entry whose answer it replaces: termin.hbs, dauer.hbs, grund.hbs, daten.hbs, erreichbarkeit.hbs, backout.hbs, version.hbs, registrierung.hbs, verein.hbs, infrastruktur.hbs, status.hbs, fallback.hbs.\n`);
});
