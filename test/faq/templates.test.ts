import { beforeAll, describe, expect, test } from 'vitest';
import { FAQ_IDS, loadFaq, type LoadedFaq } from '../../src/faq/index.ts';
import { TemplateRenderer } from '../../src/render/template-renderer.ts';
import type { Phase } from '../../src/schedule/progress.ts';
import { createContext, createTestRenderer, type ContextOptions } from './render.ts';

const PHASES: Phase[] = ['announced', 'running', 'complete', 'backout', 'cancelled'];
const IDS = [...FAQ_IDS, 'fallback'];
/** The lead prepends the asker's handle; Mastodon counts @user@domain as @user. */
const MENTION = '@ein_langer_username ';
const BUDGET = 400;

/** Length as Mastodon counts it: every URL is 23 characters. */
const mastodonLength = (text: string) => text.replace(/https?:\/\/\S+/g, 'x'.repeat(23)).length;

let faq: LoadedFaq;
const hb = createTestRenderer();
function render(id: string, options: ContextOptions, language: 'de' | 'en' = 'de'): string {
  const source = faq.answers[language]?.templates.get(id)?.source;
  if (source === undefined) throw new Error(`no template ${id}`);
  // Template files end with a newline, like any text file; the renderer trims it.
  return hb.compile(source, { strict: true, noEscape: true })(createContext(options)).replace(/\n$/, '');
}

beforeAll(async () => {
  faq = await loadFaq();
});

const variants: [Phase, string | null, string | null][] = PHASES.flatMap((phase) => [
  [phase, 'https://status.wien.rocks/', '@paula'] as [Phase, string | null, string | null],
  [phase, null, null] as [Phase, string | null, string | null],
]);

describe.each(IDS.flatMap((id) => [[id, 'de'] as const, [id, 'en'] as const]))('template %s (%s)', (id, language) => {
  test.each(variants)('renders in phase %s (statusPage %s, contact %s) as one short, clean reply', (phase, statusPage, contact) => {
    const text = render(id, { phase, statusPage, contact, done: phase === 'running' ? 3 : undefined }, language);
    expect(text.length).toBeGreaterThan(40);
    expect(text).toBe(text.trim());
    expect(text).not.toMatch(/\{\{|\}\}|\n|  |null|undefined|\[object/);
    expect(mastodonLength(MENTION + text)).toBeLessThanOrEqual(BUDGET);
    if (statusPage === null && contact === null) expect(text).not.toContain('http');
    // The contact is named by profile URL: no mention, no invisible character.
    expect(text).not.toMatch(/(^|[^/\w])@\w/);
    expect(text).not.toContain('\u200b');
    if (language === 'en') expect(text).not.toMatch(/\b(Uhr|und|der|die|das|Umzug)\b/);
    // Without a contact URL the sentence ends with "the admins", not "tell us the admins".
    if (language === 'en') expect(text).not.toMatch(/\bus the admins\b/);
  });
});

describe('the default answers speak of any maintenance, not of wien.rocks', () => {
  // The instance's own facts belong in its schedule's <templates.dir>/faq/ (templates/examples/wien-rocks/faq/).
  const WIEN_ROCKS = /OpenShift|OKD|Blade|GbE|Enterprise-Storage|Container|Verein|Fördermitglied|Zugangsbeschränkung|association|membership|sign-up limit|\bWien\b|Vienna|Umzug|zieht um|\bmov(e|ing)\b/i;
  test.each(IDS.flatMap((id) => [[id, 'de'] as const, [id, 'en'] as const]))('%s (%s) claims nothing the schedule does not say', (id, language) => {
    expect(faq.answers[language]!.templates.get(id)!.source).not.toMatch(WIEN_ROCKS);
    for (const [phase, statusPage, contact] of variants) {
      // The context's instance, time zone, status page and contact are wien.rocks': what they give is the schedule's own.
      const text = render(id, { phase, statusPage, contact }, language).replace(/wien\.rocks/g, 'example.social').replace('Europe/Vienna', 'Europe/Berlin');
      expect(text).not.toMatch(WIEN_ROCKS);
    }
  });
});

describe('answers that depend on the state', () => {
  test('status during the migration gives progress and the running task', () => {
    const text = render('status', { phase: 'running', done: 3 });
    expect(text).toContain('3 von 9');
    expect(text).toContain('Gerade dran: Upgrade auf Mastodon 4.0.');
    expect(text).not.toContain('Funktionstests');
    expect(text).toContain('https://status.wien.rocks/');
  });

  test('status between two tasks still reports progress', () => {
    const running = createContext({ phase: 'running', done: 5 });
    const context = {
      ...running,
      tasks: running.tasks.map((task) => (task.status === 'running' ? { ...task, status: 'pending' as const } : task)),
    };
    const source = faq.templates.get('status')?.source ?? '';
    const text = hb.compile(source, { strict: true, noEscape: true })(context);
    expect(text).toContain('5 von 9');
    expect(text).not.toContain('Gerade dran');
  });

  test('status before the migration says when and where to follow', () => {
    expect(render('status', { phase: 'announced' })).toMatch(/^Los geht's morgen um 15:00 Uhr\..*https:\/\/status\.wien\.rocks\//);
    expect(render('status', { phase: 'announced', statusPage: null })).toContain('hier auf diesem Account');
  });

  test('status names the fallback account by its profile URL: readable, findable, mentioning nobody', () => {
    const announced = createContext({ phase: 'announced' });
    const context = { ...announced, schedule: { ...announced.schedule, fallbackAccount: '@wienrocks@mastodon.social', fallbackAccountUrl: 'https://mastodon.social/@wienrocks' } };
    const source = faq.templates.get('status')?.source ?? '';
    const text = hb.compile(source, { strict: true, noEscape: true })(context);
    expect(text).toContain('ist wien.rocks offline, bei https://mastodon.social/@wienrocks.');
    expect(text).not.toContain('@wienrocks@');
  });

  test('the start date and the expected downtime appear before the migration', () => {
    const text = render('termin', { phase: 'announced' });
    expect(text).toContain('Sonntag, 12. Februar 2023, 15:00 Uhr');
    expect(text).toContain('eine Stunde');
  });

  test('the back-out answer names the deadline', () => {
    expect(render('backout', { phase: 'announced' })).toContain('20:00 Uhr');
    expect(render('backout', { phase: 'backout' })).toContain('bisherigen Installation');
  });

  test('the fallback promises a person and names the contact by profile URL when there is one', () => {
    expect(render('fallback', { phase: 'running' })).toMatch(/Admin-Team.*https:\/\/wien\.rocks\/@paula/);
    expect(render('fallback', { phase: 'running' }, 'en')).toMatch(/admin team.*https:\/\/wien\.rocks\/@paula/);
    expect(render('fallback', { phase: 'running', contact: null })).not.toContain('@');
  });

  test("the lead's TemplateRenderer renders the FAQ directory as it is", () => {
    const renderer = new TemplateRenderer(faq.dir);
    for (const id of IDS) {
      const rendered = renderer.render(id, createContext({ phase: 'running', done: 3 }));
      expect(rendered.text).toBe(render(id, { phase: 'running', done: 3 }));
      expect(rendered.length + MENTION.length).toBeLessThanOrEqual(BUDGET);
    }
  });

  test('English answers use English dates and times', () => {
    expect(render('termin', { phase: 'announced' }, 'en')).toContain('Sunday, 12 February 2023, 15:00');
    expect(render('termin', { phase: 'announced' }, 'en')).toContain('about an hour');
    expect(render('status', { phase: 'announced' }, 'en')).toMatch(/^We start tomorrow at 15:00\./);
    expect(render('backout', { phase: 'announced' }, 'en')).toContain('by 20:00');
  });

  test('the renderer is strict, so a template cannot use names outside the context', () => {
    expect(() => hb.compile('Du fragtest: {{question}}', { strict: true })(createContext({ phase: 'running' }))).toThrow(
      /question/,
    );
  });
});
