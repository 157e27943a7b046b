import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import { herold as run, ROOT } from '../support/herold-cli.ts';

/**
 * `herold faq ask` as a user runs it (`node bin/herold.js`), from the
 * repository root, with the seed schedule and with copies of it written to a
 * temporary directory. No Redis answers (port 1), so every answer comes from
 * the file, before the window.
 */
const SEED = path.join(ROOT, 'schedules', 'wien-rocks-2023-02-12.yaml');
const EXAMPLE = path.join(ROOT, 'templates', 'examples', 'wien-rocks');
const SEED_DIR = 'templates:\n  dir: ../templates/examples/wien-rocks\n';

vi.setConfig({ testTimeout: 180_000 });

/** No Redis answers on port 1: no herold run is found. */
const herold = (...args: string[]) => run(args, { REDIS_URL: 'redis://127.0.0.1:1' });

interface Answer {
  id: string;
  language: string;
  text: string;
  live: boolean;
}

function ask(question: string, schedule?: string): Answer {
  const run = herold('faq', 'ask', question, '--json', ...(schedule ? ['--schedule', schedule] : []));
  expect(run.status, run.stderr).toBe(0);
  return JSON.parse(run.stdout) as Answer;
}

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'herold-faq-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

let counter = 0;
/** A copy of the seed whose templates dir holds its announcement-move toot and these files (paths relative to it). */
function scheduleWith(files: Readonly<Record<string, string>>): string {
  const dir = path.join(tmp, `templates-${++counter}`);
  mkdirSync(dir);
  copyFileSync(path.join(EXAMPLE, 'announcement-move.hbs'), path.join(dir, 'announcement-move.hbs'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), text);
  }
  const file = path.join(tmp, `schedule-${counter}.yaml`);
  const seed = readFileSync(SEED, 'utf8');
  expect(seed).toContain(SEED_DIR);
  writeFileSync(file, seed.replace(SEED_DIR, `templates:\n  dir: ${dir}\n`));
  return file;
}

describe('herold faq ask', () => {
  test('the seed schedule answers with the wien.rocks texts of its templates dir, in German and English', () => {
    const de = ask('Läuft das dann auf OpenShift?');
    expect(de).toMatchObject({ id: 'infrastruktur', language: 'de', live: false });
    expect(de.text).toBe(readFileSync(path.join(EXAMPLE, 'faq', 'infrastruktur.hbs'), 'utf8').trim().replace('{{schedule.instance}}', 'wien.rocks'));
    const en = ask('is it kubernetes?');
    expect(en).toMatchObject({ id: 'infrastruktur', language: 'en' });
    expect(en.text).toContain('an OpenShift cluster (OKD) on a blade chassis');
  });

  test('a schedule without answers of its own gets the generic ones', () => {
    const file = scheduleWith({});
    const infrastruktur = ask('Läuft das dann auf OpenShift?', file);
    expect(infrastruktur.id).toBe('infrastruktur');
    expect(infrastruktur.text).toBe('Wir ziehen auf neue Infrastruktur in Wien um. Was wir dabei Schritt für Schritt umbauen, steht unter https://status.wien.rocks/. Technische Fragen gern an https://wien.rocks/@paula');
    const verein = ask('Wie werde ich Fördermitglied im Verein?', file);
    expect(verein.id).toBe('verein');
    expect(verein.text).not.toMatch(/Verein|Fördermitglied/);
    expect(verein.text).toContain('https://wien.rocks/@paula');
  });

  test('an answer of its own for one id leaves the others to the default FAQ', () => {
    const file = scheduleWith({ 'faq/registrierung.hbs': 'Ab Montag kannst du dich auf {{schedule.instance}} wieder registrieren.\n' });
    expect(ask('Kann sich meine Freundin dann registrieren?', file).text).toBe('Ab Montag kannst du dich auf wien.rocks wieder registrieren.');
    expect(ask('Läuft das dann auf OpenShift?', file).text).not.toContain('OpenShift');
  });

  test('a broken answer of its own is refused with file and line, exit 1, no stack trace', () => {
    const file = scheduleWith({ 'faq/infrastruktur.hbs': 'Technik:\n{{#if schedule.statusPage}}\n{{schedule.statusPage}}\n' });
    const run = herold('faq', 'ask', 'Läuft das dann auf OpenShift?', '--schedule', file);
    expect(run.status).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(new RegExp(`^✘ ${path.join(tmp, `templates-${counter}`, 'faq', 'infrastruktur.hbs')}:\\d+: The template does not parse: .*Check that every \\{\\{#if\\}\\} and \\{\\{#each\\}\\} is closed\\.\\n$`));
    expect(run.stderr).not.toMatch(/^ {4}at /m);
  });
});
