import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { formatProblem, ScheduleError } from '../../src/errors.ts';
import { answerRenderer, answerTemplates, checkAnswerOverrides, loadFaq, overrideDirs, type LoadedFaq } from '../../src/faq/index.ts';
import { localeTemplateDirs, parseSchedule } from '../../src/schedule/load-schedule.ts';
import { problemsOf } from '../support/schedule-problems.ts';
import { createContext } from './render.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const SEED = path.join(ROOT, 'schedules', 'wien-rocks-2023-02-12.yaml');
const SEED_TEXT = readFileSync(SEED, 'utf8');
const DEFAULTS = localeTemplateDirs('de-AT');

let faq: LoadedFaq;
let tmp: string;
beforeAll(async () => {
  faq = await loadFaq();
  tmp = mkdtempSync(path.join(tmpdir(), 'herold-answers-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

let counter = 0;
/** A schedule's own templates dir holding these files (paths relative to it), as templateDirs put it: first, before the defaults. */
function ownDir(files: Readonly<Record<string, string>>): string[] {
  const dir = path.join(tmp, `own-${++counter}`);
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), text);
  }
  return [dir, ...DEFAULTS];
}

const render = (templateDirs: readonly string[], id: string, language: 'de' | 'en' = 'de') =>
  answerRenderer(faq, templateDirs, language).renderer.render(id, createContext({ phase: 'running', done: 3 })).text;

describe('answerTemplates: a schedule’s own FAQ answers', () => {
  test('an override wins for its schedule only; another schedule keeps the default answer', () => {
    const own = ownDir({ 'faq/verein.hbs': 'Bei {{schedule.instance}} hilft dir der Förderverein weiter.\n' });
    const other = ownDir({ 'announcement-x.hbs': 'nur ein Beitrag\n' });
    expect(render(own, 'verein')).toBe('Bei wien.rocks hilft dir der Förderverein weiter.');
    expect(answerTemplates(faq, own, 'de').templates.get('verein')!.file).toBe(path.join(own[0]!, 'faq', 'verein.hbs'));
    expect(render(other, 'verein')).toBe(render(DEFAULTS, 'verein'));
    expect(render(other, 'verein')).not.toContain('Förderverein');
    // Ids it does not override come from the default FAQ.
    expect(render(own, 'dauer')).toBe(render(DEFAULTS, 'dauer'));
    expect(answerTemplates(faq, own, 'de').templates.get('dauer')).toBe(faq.answers.de.templates.get('dauer'));
  });

  test('an English override in faq/en/ answers English questions; German ones keep the German default', () => {
    const own = ownDir({ 'faq/en/registrierung.hbs': 'Sign-ups on {{schedule.instance}} open on Monday.\n' });
    expect(render(own, 'registrierung', 'en')).toBe('Sign-ups on wien.rocks open on Monday.');
    expect(answerTemplates(faq, own, 'en').language).toBe('en');
    expect(render(own, 'registrierung')).toBe(render(DEFAULTS, 'registrierung'));
    expect(render(own, 'verein', 'en')).toBe(render(DEFAULTS, 'verein', 'en'));
  });

  test('the project’s own FAQ folder (it has a faq.yaml) is the default, not an override', () => {
    expect(overrideDirs(DEFAULTS, 'de')).toEqual([]);
    expect(overrideDirs(DEFAULTS, 'en')).toEqual([]);
    expect(answerTemplates(faq, DEFAULTS, 'de').templates).toEqual(faq.answers.de.templates);
  });

  test('files are read once per loaded schedule: the same answers for the same schedule, read anew for a reloaded one', () => {
    const own = ownDir({ 'faq/verein.hbs': 'Erste Fassung.\n' });
    const first = answerTemplates(faq, own, 'de');
    writeFileSync(path.join(own[0]!, 'faq', 'verein.hbs'), 'Zweite Fassung.\n');
    expect(answerTemplates(faq, own, 'de')).toBe(first);
    expect(answerRenderer(faq, own, 'de').renderer).toBe(answerRenderer(faq, own, 'de').renderer);
    const reloaded = [...own];
    expect(answerTemplates(faq, reloaded, 'de').templates.get('verein')!.source).toBe('Zweite Fassung.\n');
  });

  test('an unknown id and a template that does not parse are problems with file, line and a hint', () => {
    const own = ownDir({ 'faq/wetter.hbs': 'Sonnig.\n', 'faq/verein.hbs': 'Hallo\n{{#if schedule.contact}}offen\n', 'faq/en/spenden.hbs': 'Donate!\n' });
    const problems = problemsOf(() => checkAnswerOverrides({ templateDirs: own })).map(formatProblem);
    expect(problems).toEqual([
      expect.stringMatching(new RegExp(`^${path.join(own[0]!, 'faq', 'verein.hbs')}:3: The template does not parse: .* Check that every \\{\\{#if\\}\\} and \\{\\{#each\\}\\} is closed\\.$`)),
      expect.stringMatching(new RegExp(`^${path.join(own[0]!, 'faq', 'wetter.hbs')}:1: There is no FAQ entry "wetter", so this answer would never be sent\\. Name the file after the entry whose answer it replaces: termin\\.hbs, .*fallback\\.hbs\\.$`)),
      expect.stringMatching(new RegExp(`^${path.join(own[0]!, 'faq', 'en', 'spenden.hbs')}:1: There is no FAQ entry "spenden"`)),
    ]);
    // Rendering with them fails the same way, never with the default answer in silence.
    expect(() => answerTemplates(faq, own, 'de')).toThrow(ScheduleError);
    expect(() => answerTemplates(faq, own, 'de')).toThrow(/wetter\.hbs:1: There is no FAQ entry "wetter"/);
  });

  test('a schedule without overrides has none to report; the seed names its three', () => {
    expect(checkAnswerOverrides({ templateDirs: DEFAULTS })).toEqual({ de: [], en: [] });
    expect(checkAnswerOverrides(parseSchedule(SEED_TEXT, SEED))).toEqual({ de: ['infrastruktur', 'registrierung', 'verein'], en: ['infrastruktur', 'registrierung', 'verein'] });
  });
});

describe('the seed schedule and a schedule without its own answers', () => {
  const seed = () => parseSchedule(SEED_TEXT, SEED);
  // The seed without its templates dir (its announcement-move toot then has no template: not checked here).
  const plain = () => parseSchedule(SEED_TEXT.replace(/^templates:\n {2}dir: .*\n/m, ''), SEED, { templates: false });

  test('the seed answers infrastruktur, verein and registrierung with the wien.rocks texts, in German and English', () => {
    expect(plain().templateDirs).toEqual(DEFAULTS);
    expect(render(seed().templateDirs, 'infrastruktur')).toContain('OpenShift-Cluster (OKD)');
    expect(render(seed().templateDirs, 'infrastruktur', 'en')).toContain('OpenShift cluster (OKD)');
    expect(render(seed().templateDirs, 'verein')).toContain('Fördermitgliedschaft');
    expect(render(seed().templateDirs, 'registrierung')).toContain('Zugangsbeschränkung');
  });

  test('without them the same questions get the generic answers', () => {
    const infrastruktur = render(plain().templateDirs, 'infrastruktur');
    expect(infrastruktur).toBe('Bei der Wartung arbeiten wir an der Technik hinter wien.rocks. Was wir dabei Schritt für Schritt umbauen, steht unter https://status.wien.rocks/. Technische Fragen gern an https://wien.rocks/@paula');
    // The schedule's reason, where it gives one, says what the maintenance is about.
    const context = createContext({ phase: 'announced', statusPage: null, contact: null });
    const withReason = answerRenderer(faq, plain().templateDirs, 'de').renderer.render('infrastruktur', { ...context, schedule: { ...context.schedule, reason: plain().reason } }).text;
    expect(withReason).toBe('Wir ziehen auf neue Infrastruktur in Wien um. Was wir dabei Schritt für Schritt umbauen, erzählen wir laufend hier auf diesem Account.');
    expect(render(plain().templateDirs, 'infrastruktur', 'en')).not.toMatch(/OpenShift|Vienna|blade/i);
    expect(render(plain().templateDirs, 'verein')).not.toMatch(/Verein|Fördermitglied/);
    expect(render(plain().templateDirs, 'registrierung')).not.toContain('Zugangsbeschränkung');
  });
});
