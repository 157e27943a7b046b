import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DateTime } from 'luxon';
import { describe, expect, test } from 'vitest';
import { DEFAULT_FAQ_DIR } from '../../src/faq/index.ts';
import { TemplateRenderer } from '../../src/render/template-renderer.ts';
import { tootContext, type ContextExtras } from '../../src/render/toot-context.ts';
import { DEFAULT_TEMPLATES_ROOT, loadSchedule, parseSchedule } from '../../src/schedule/load-schedule.ts';
import { initialProgress, withTask, type Progress } from '../../src/schedule/progress.ts';
import type { Schedule } from '../../src/schedule/schedule.ts';

/**
 * Issue 15, "The toots tell the truth at every moment": each point rendered
 * from the shipped templates, as followers would read it.
 */
const SHIPPED = fileURLToPath(new URL('../../schedules/wien-rocks-2023-02-12.yaml', import.meta.url));
const SHIPPED_TEXT = readFileSync(SHIPPED, 'utf8');
const wien = loadSchedule(SHIPPED);
const ZONE = 'Europe/Vienna';
const at = (time: string) => DateTime.fromISO(`2023-02-12T${time}`, { zone: ZONE });

/** The shipped schedule with some top-level fields removed (or replaced). */
function variant(without: readonly string[], extra = ''): Schedule {
  const lines = SHIPPED_TEXT.split('\n').filter((line) => !without.some((field) => line.startsWith(`${field}:`)));
  return parseSchedule(lines.join('\n') + extra, SHIPPED);
}

function render(schedule: Schedule, template: string, progress: Progress, now: DateTime, extras: ContextExtras = {}): string {
  return new TemplateRenderer(schedule.templateDirs).render(template, tootContext(schedule, progress, now, extras)).text;
}

const running = (schedule: Schedule): Progress => ({ ...initialProgress(schedule), phase: 'running' });
function allDone(schedule: Schedule, when: DateTime): Progress {
  return schedule.tasks.reduce((p, t) => withTask(p, t.id, 'done', t.at ?? when), running(schedule));
}

describe('the progress toot', () => {
  test('while running, it keeps the expected downtime and the deadline', () => {
    const text = render(wien, 'progress', withTask(running(wien), 'abschaltung', 'done', at('15:02')), at('15:40'));
    expect(text).toContain('Geplant: etwa eine Stunde offline, bis etwa 16:00 Uhr. Spätestens um 20:00 Uhr ist wien.rocks wieder da. Stand: 15:40 Uhr');
  });

  test('after completion it says done, when, and how long it took, and promises nothing more', () => {
    const done: Progress = { ...allDone(wien, at('15:00')), phase: 'complete', endedAt: at('16:47') };
    const text = render(wien, 'progress', done, at('16:48'));
    expect(text.split('\n')[0]).toBe('✅ Wartung von wien.rocks abgeschlossen um 16:47 Uhr, nach 1 Stunde und 47 Minuten.');
    expect(text).not.toMatch(/🚧|Spätestens|Geplant|⬜/);
  });

  test('the duration is in whole minutes, however many seconds the end had', () => {
    const done: Progress = { ...allDone(wien, at('15:00')), phase: 'complete', endedAt: at('17:20:27.360') };
    expect(render(wien, 'progress', done, at('17:21')).split('\n')[0]).toBe('✅ Wartung von wien.rocks abgeschlossen um 17:20 Uhr, nach 2 Stunden und 20 Minuten.');
  });

  test('after a back-out it says so, with the time and how far it got', () => {
    const halfway = withTask(withTask(running(wien), 'abschaltung', 'done', at('15:00')), 'upgrade', 'done', at('15:20'));
    const text = render(wien, 'progress', { ...halfway, phase: 'backout', endedAt: at('18:05') }, at('18:05'));
    expect(text.split('\n')[0]).toBe('↩️ Wartung von wien.rocks um 18:05 Uhr abgebrochen: 2 von 9 Schritten waren erledigt.');
    expect(text).toContain('wien.rocks läuft wieder auf der bisherigen Installation');
    expect(text).not.toMatch(/🚧|Spätestens|✅/);
  });

  test('lists the tasks in planned time, whatever the file order', () => {
    const swapped = SHIPPED_TEXT.replace(
      /( {2}- id: suchindex\n.*\n.*\n)( {2}- id: home-feeds\n.*\n.*\n)/,
      (_, suchindex: string, homeFeeds: string) => homeFeeds + suchindex,
    );
    expect(swapped).not.toBe(SHIPPED_TEXT);
    const schedule = parseSchedule(swapped, SHIPPED);
    const rows = render(schedule, 'progress', running(schedule), at('15:00')).split('\n').filter((l) => l.startsWith('⬜'));
    expect(rows.slice(-3)).toEqual(['⬜ 16:30 Suchindex aufbauen', '⬜ 16:50 Startseiten neu aufbauen', '⬜ 17:15 Neue Zertifikate aktivieren']);
  });
});

describe('times come from the facts', () => {
  test('a milestone posted late (after an outage) says when the task was done', () => {
    const progress = withTask(running(wien), 'upgrade', 'done', at('15:17'));
    const text = render(wien, 'milestone', progress, at('16:05'), { taskId: 'upgrade', plannedAt: at('15:17') });
    expect(text.split('\n')[0]).toBe('✅ Upgrade auf Mastodon 4.0: erledigt um 15:17 Uhr (1 von 9).');
    expect(text).not.toContain('16:05');
  });

  test('a start toot on time says "Es geht los"; posted late it says since when, not "jetzt"', () => {
    const onTime = render(wien, 'start', running(wien), at('15:00'), { plannedAt: at('15:00') });
    expect(onTime.split('\n')[0]).toBe('🚧 Es geht los: wien.rocks ist ab jetzt etwa eine Stunde offline, bis etwa 16:00 Uhr.');
    const late = render(wien, 'start', running(wien), at('15:40'), { plannedAt: at('15:00') });
    expect(late.split('\n')[0]).toBe('🚧 Seit 15:00 Uhr ist wien.rocks in Wartung: etwa eine Stunde offline, bis etwa 16:00 Uhr.');
    expect(late).not.toMatch(/jetzt|Es geht los/);
    // The compact variant (used when the table does not fit) follows the same rule.
    const compact = render(wien, 'start.compact', running(wien), at('15:40'), { plannedAt: at('15:00') });
    expect(compact).toMatch(/^🚧 Seit 15:00 Uhr ist wien\.rocks in Wartung/);
    expect(compact).not.toContain('jetzt');
  });
});

describe('where to follow during the downtime', () => {
  const before = wien.window.start.minus({ days: 1 });
  const toots = (schedule: Schedule) => ({
    announcement: render(schedule, 'announcement', initialProgress(schedule), before.minus({ days: 5 }), { entry: { id: 'termin', at: before } }),
    reminder: render(schedule, 'reminder', initialProgress(schedule), before, { entry: { id: 'ein-tag-vorher', at: before } }),
    start: render(schedule, 'start', running(schedule), at('15:00'), { plannedAt: at('15:00') }),
  });

  test('announcement, reminder and start name the status page and the fallback account', () => {
    for (const [kind, text] of Object.entries(toots(wien))) {
      expect(text, kind).toContain('https://status.wien.rocks/');
      expect(text, kind).toContain('@wienrocks@mastodon.social');
    }
    expect(toots(wien).reminder).toContain('Den Fortschritt zeigen wir laufend in einem Beitrag hier und auf https://status.wien.rocks/.');
  });

  test('only what is set: a status page alone, a fallback alone, or neither', () => {
    const pageOnly = toots(variant(['fallbackAccount']));
    const fallbackOnly = toots(variant(['statusPage']));
    const neither = toots(variant(['statusPage', 'fallbackAccount']));
    for (const kind of ['announcement', 'reminder', 'start'] as const) {
      expect(pageOnly[kind], kind).toContain('https://status.wien.rocks/');
      expect(pageOnly[kind], kind).not.toContain('@wienrocks');
      expect(fallbackOnly[kind], kind).toContain('@wienrocks@mastodon.social');
      expect(fallbackOnly[kind], kind).not.toContain('https://');
      expect(neither[kind], kind).not.toMatch(/https:\/\/|@wienrocks|Während der Wartung/);
    }
  });
});

describe('the back-out toot', () => {
  const upgraded = withTask(withTask(running(wien), 'abschaltung', 'done', at('15:00')), 'upgrade', 'done', at('15:15'));
  const backedOut: Progress = { ...upgraded, phase: 'backout', endedAt: at('20:00') };

  test('takes back what a milestone reply said ("Wir laufen jetzt auf Mastodon 4.0")', () => {
    const text = render(wien, 'backout', backedOut, at('20:00'));
    expect(text).toContain('Damit gilt nicht mehr, was wir oben gemeldet haben: „Upgrade auf Mastodon 4.0“.');
    const nothingDone = render(wien, 'backout', { ...running(wien), phase: 'backout', endedAt: at('20:00') }, at('20:00'));
    expect(nothingDone).not.toContain('gilt nicht mehr');
  });

  test('says what happens to posts written on the new installation, as the schedule says', () => {
    expect(render(wien, 'backout', backedOut, at('20:00'))).toContain('Was ihr inzwischen auf der neuen Installation gepostet habt, fehlt auf der bisherigen.');
    const kept = variant(['backoutPosts'], 'backoutPosts: kept\n');
    expect(render(kept, 'backout', backedOut, at('20:00'))).toContain('Was ihr inzwischen auf der neuen Installation gepostet habt, übernehmen wir');
    const silent = render(variant(['backoutPosts']), 'backout', backedOut, at('20:00'));
    expect(silent).not.toContain('gepostet');
  });

  test('"wie angekündigt" only when followers were told beforehand', () => {
    expect(render(wien, 'backout', backedOut, at('20:00'), { announced: true })).toContain('Wie angekündigt läuft wien.rocks wieder auf der bisherigen Installation.');
    const unannounced = render(wien, 'backout', backedOut, at('20:00'), { announced: false });
    expect(unannounced.toLowerCase()).not.toContain('wie angekündigt');
    expect(unannounced).toContain('Damit läuft wien.rocks wieder auf der bisherigen Installation.');
  });

  test('an early back-out declared by the operator does not claim the deadline passed', () => {
    const text = render(wien, 'backout', { ...backedOut, endedAt: at('17:10') }, at('17:10'));
    expect(text).toMatch(/^↩️ Planänderung: Um 17:10 Uhr haben wir die Wartung von wien\.rocks abgebrochen/);
    expect(text).not.toContain('20:00');
  });

  test('the schedule field is checked: a typo is an error at its line', () => {
    expect(() => variant(['backoutPosts'], 'backoutPosts: verloren\n')).toThrow(/backoutPosts must be lost or kept/);
  });
});

describe('templates are generic; wien.rocks is an example', () => {
  const DE = path.join(DEFAULT_TEMPLATES_ROOT, 'de');
  const files = (dir: string) => readdirSync(dir).filter((f) => f.endsWith('.hbs'));

  test('templates/de speaks of the maintenance, never of wien.rocks or a move', () => {
    for (const file of files(DE)) {
      const text = readFileSync(path.join(DE, file), 'utf8');
      expect(text, file).not.toMatch(/wien|umzug|zieht|OpenShift|Mastodon 4/i);
    }
  });

  test('the wien.rocks schedule takes its move texts from its example folder and the rest from de-AT over de', () => {
    expect(wien.templateDirs).toEqual(['examples/wien-rocks', 'de-AT', 'de'].map((d) => path.join(DEFAULT_TEMPLATES_ROOT, d)));
    const renderer = new TemplateRenderer(wien.templateDirs);
    expect(renderer.file('announcement-move')).toBe(path.join(DEFAULT_TEMPLATES_ROOT, 'examples', 'wien-rocks', 'announcement-move.hbs'));
    expect(renderer.file('progress')).toBe(path.join(DE, 'progress.hbs'));
  });

  test('de-AT words live in the de-AT variant; month names follow the locale ("Jänner" / "Januar")', () => {
    const done: Progress = { ...allDone(wien, at('15:00')), phase: 'complete', endedAt: at('17:15') };
    expect(render(wien, 'complete', done, at('17:15'))).toContain('ein bisserl');
    const german = variant(['locale'], 'locale: de\n');
    expect(german.templateDirs).toEqual([path.join(DEFAULT_TEMPLATES_ROOT, 'examples', 'wien-rocks'), DE]);
    expect(render(german, 'complete', done, at('17:15'))).not.toContain('bisserl');
    for (const file of files(DE)) expect(readFileSync(path.join(DE, file), 'utf8'), file).not.toMatch(/bisserl|Jänner|heuer/);

    const january = (locale: string) => {
      const text = ['id: jaenner', 'instance: example.social', 'timezone: Europe/Vienna', `locale: ${locale}`, 'window:', '  start: 2024-01-28T15:00', '  deadline: 2024-01-28T18:00', '  expectedDowntime: PT1H', 'tasks:', '  - id: a', '    title: Aufgabe', ''].join('\n');
      const schedule = parseSchedule(text, '/tmp/jaenner.yaml');
      return render(schedule, 'announcement', initialProgress(schedule), schedule.window.start.minus({ days: 7 }));
    };
    expect(january('de-AT')).toContain('Am Sonntag, 28. Jänner 2024, ab 15:00 Uhr ist example.social etwa eine Stunde offline');
    expect(january('de')).toContain('Am Sonntag, 28. Januar 2024, ab 15:00 Uhr ist example.social etwa eine Stunde offline');
  });

  test('a comma closes a date in the middle of a sentence ("Seit Sonntag, 12. Februar 2023, läuft …")', () => {
    const before = wien.window.start.minus({ days: 7 });
    expect(render(wien, 'cancelled', { ...initialProgress(wien), phase: 'cancelled' }, before)).toContain('Die Wartung von wien.rocks am Sonntag, 12. Februar 2023, findet nicht statt.');
    const moved = render(wien, 'date-changed', initialProgress(wien), before, { previousStart: before });
    expect(moved).toContain('ist nicht am Sonntag, 5. Februar 2023, 15:00 Uhr, sondern am Sonntag, 12. Februar 2023, 15:00 Uhr.');
    expect(moved).toContain('Am Plan ändert sich sonst nichts: wien.rocks ist dann etwa eine Stunde offline, bis etwa 16:00 Uhr.');
    const faq = new TemplateRenderer(DEFAULT_FAQ_DIR);
    const done: Progress = { ...allDone(wien, at('15:00')), phase: 'complete', endedAt: at('17:15') };
    expect(faq.render('termin', tootContext(wien, done, at('18:00'))).text).toContain('Seit Sonntag, 12. Februar 2023, läuft wien.rocks wieder, jetzt auf Mastodon 4.0.');
    const backedOut: Progress = { ...running(wien), phase: 'backout', endedAt: at('20:00') };
    expect(faq.render('termin', tootContext(wien, backedOut, at('20:10'))).text).toContain('Die Wartung am Sonntag, 12. Februar 2023, hat nicht geklappt');
  });

  test('one word for a post ("Beitrag"), no jargon, "spätestens um" for the deadline', () => {
    for (const dir of [DE, path.join(DEFAULT_TEMPLATES_ROOT, 'de-AT'), path.join(DEFAULT_TEMPLATES_ROOT, 'examples', 'wien-rocks')]) {
      for (const file of files(dir)) {
        const text = readFileSync(path.join(dir, file), 'utf8');
        expect(text, file).not.toMatch(/\bTo+ts?\b|Tröt|\bDowntime\b|DNS-TTL|\bTTL\b|kommt gleich/);
        // The deadline is "spätestens um …", never a bare "bis 20:00 Uhr" promise.
        expect(text, file).not.toMatch(/(?<!Sind wir )bis \{\{uhrzeit window\.deadline\}\}/);
      }
    }
  });
});

describe('a window over midnight names the day of its deadline', () => {
  // The seed moved seven hours later: from 22:00 on Sunday to 03:00 on Monday, deadline 03:30 on Monday.
  const night = parseSchedule(
    SHIPPED_TEXT.replace(/2023-02-12T(\d\d):(\d\d)/g, (text) => at(text.slice(11)).plus({ hours: 7 }).toFormat("yyyy-MM-dd'T'HH:mm")).replace('deadline: 2023-02-13T03:00', 'deadline: 2023-02-13T03:30'),
    SHIPPED,
  );
  const sunday = (time: string) => at(time);
  const monday = (time: string) => at(time).plus({ days: 1 });

  test('the announcement, the reminders and the start toot say "am Montag um 03:30 Uhr"', () => {
    expect(night.window.deadline.toISO()).toBe('2023-02-13T03:30:00.000+01:00');
    expect(render(night, 'announcement', initialProgress(night), at('10:00').minus({ days: 6 }), { entry: { id: 'termin', at: at('10:00').minus({ days: 6 }) } })).toContain('Spätestens am Montag um 03:30 Uhr ist wien.rocks wieder da');
    expect(render(night, 'reminder', initialProgress(night), sunday('21:00'), { entry: { id: 'eine-stunde-vorher', at: sunday('21:00') } })).toContain('Spätestens am Montag um 03:30 Uhr ist wien.rocks wieder da');
    expect(render(night, 'start', running(night), sunday('22:00'))).toContain('Spätestens am Montag um 03:30 Uhr ist wien.rocks wieder da.');
  });

  test('the progress toot names the day before midnight and drops it after', () => {
    expect(render(night, 'progress', running(night), sunday('23:40'))).toContain('Spätestens am Montag um 03:30 Uhr ist wien.rocks wieder da. Stand: 23:40 Uhr');
    expect(render(night, 'progress', running(night), monday('00:20'))).toContain('Spätestens um 03:30 Uhr ist wien.rocks wieder da. Stand: 00:20 Uhr');
  });

  test('the FAQ answers about the back-out and the downtime say the day too', () => {
    const faq = new TemplateRenderer(DEFAULT_FAQ_DIR);
    const context = tootContext(night, initialProgress(night), sunday('12:00'));
    expect(faq.render('backout', context).text).toContain('Läuft wien.rocks am Montag um 03:30 Uhr noch nicht sauber');
    expect(faq.render('dauer', context).text).toContain('Spätestens am Montag um 03:30 Uhr läuft wien.rocks wieder');
  });

  test('a window within one day reads as before', () => {
    expect(render(wien, 'start', running(wien), at('15:00'))).toContain('Spätestens um 20:00 Uhr ist wien.rocks wieder da.');
  });
});
