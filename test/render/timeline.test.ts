import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { TemplateRenderer } from '../../src/render/template-renderer.ts';
import { tootContext } from '../../src/render/toot-context.ts';
import { checkToots } from '../../src/render/check-toots.ts';
import { DEFAULT_TEMPLATES_ROOT, loadSchedule, parseSchedule } from '../../src/schedule/load-schedule.ts';
import { initialProgress } from '../../src/schedule/progress.ts';
import { planTimeline, type Scenario, type TimelineEntry } from '../../src/render/timeline.ts';

/**
 * Golden files of everything wien.rocks followers see on migration day.
 * After an intended change to templates or timeline rules, regenerate with
 *   UPDATE_GOLDEN=1 npx vitest run test/render/timeline.test.ts
 * and read the diff before committing it.
 */
const SCHEDULE = fileURLToPath(new URL('../../schedules/wien-rocks-2023-02-12.yaml', import.meta.url));
const golden = (scenario: Scenario) => fileURLToPath(new URL(`./golden/wien-rocks-${scenario}.json`, import.meta.url));

/** The shape `herold preview --json` prints. */
const serialize = (timeline: TimelineEntry[]) =>
  timeline.map((e) => ({ at: e.at.toISO(), kind: e.kind, id: e.id, text: e.text, length: e.length }));

const schedule = loadSchedule(SCHEDULE);
const renderer = new TemplateRenderer(schedule.templateDirs);
const timelines = {
  complete: serialize(planTimeline(schedule, renderer, 'complete')),
  backout: serialize(planTimeline(schedule, renderer, 'backout')),
};

const ENTITY = /&(amp|lt|gt|quot|apos|#\d+|#x[0-9a-f]+);/i;

describe.each(['complete', 'backout'] as const)('the wien.rocks timeline, scenario %s', (scenario) => {
  const timeline = timelines[scenario];

  test('matches the committed golden file', () => {
    const file = golden(scenario);
    if (process.env.UPDATE_GOLDEN) writeFileSync(file, `${JSON.stringify(timeline, null, 2)}\n`);
    expect(existsSync(file), `${file} is missing; run with UPDATE_GOLDEN=1 once`).toBe(true);
    expect(timeline).toEqual(JSON.parse(readFileSync(file, 'utf8')));
  });

  test('sends the announcements and reminders at the right times', () => {
    const before = timeline.filter((e) => e.kind === 'announcement' || e.kind === 'reminder');
    expect(before.map(({ at, kind, id }) => ({ at, kind, id }))).toEqual([
      { at: '2023-01-27T18:00:00.000+01:00', kind: 'announcement', id: 'umzug-nach-wien' },
      { at: '2023-02-06T18:00:00.000+01:00', kind: 'announcement', id: 'termin' },
      { at: '2023-02-11T15:00:00.000+01:00', kind: 'reminder', id: 'ein-tag-vorher' },
      { at: '2023-02-12T14:00:00.000+01:00', kind: 'reminder', id: 'eine-stunde-vorher' },
    ]);
    expect(before.find((e) => e.id === 'ein-tag-vorher')!.text).toMatch(/^⏰ Erinnerung: morgen um 15:00 Uhr beginnt die Wartung von wien\.rocks\./);
    expect(before.find((e) => e.id === 'eine-stunde-vorher')!.text).toMatch(/^⏰ Erinnerung: in einer Stunde beginnt die Wartung von wien\.rocks\./);
    expect(before.find((e) => e.id === 'termin')!.text).toContain('Am Sonntag, 12. Februar 2023, ab 15:00 Uhr ist wien.rocks etwa eine Stunde offline, bis etwa 16:00 Uhr.');
  });

  test('starts at 15:00 and keeps the entries in time order', () => {
    const start = timeline.filter((e) => e.kind === 'start');
    expect(start).toHaveLength(1);
    expect(start[0]!.at).toBe('2023-02-12T15:00:00.000+01:00');
    expect(start[0]!.text).toContain('⬜ 15:00 Alte Server abschalten');
    const times = timeline.map((e) => Date.parse(e.at!));
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(timeline.every((e) => e.at!.endsWith('+01:00'))).toBe(true);
  });

  test('no toot is over 500 characters and each length is what Mastodon counts', () => {
    for (const entry of timeline) {
      expect(entry.length, entry.id).toBeLessThanOrEqual(500);
      expect(entry.length, entry.id).toBeGreaterThan(0);
    }
  });

  test('contains no HTML entities', () => {
    for (const entry of timeline) expect(entry.text, entry.id).not.toMatch(ENTITY);
  });
});

describe('scenario-specific endings', () => {
  test('complete: every task is done and the complete toot follows the last one', () => {
    const timeline = timelines.complete;
    expect(timeline.at(-1)).toMatchObject({ kind: 'complete', id: 'complete', at: '2023-02-12T17:15:00.000+01:00' });
    expect(timeline.at(-1)!.text).toContain('alle 9 Schritte sind erledigt');
    expect(timeline.filter((e) => e.kind === 'milestone').map((e) => e.id)).toEqual(['milestone-upgrade', 'milestone-dns']);
    const [nineOfNine, final] = timeline.filter((e) => e.kind === 'progress').slice(-2);
    expect(nineOfNine!.text).toContain('9 von 9 erledigt');
    // The progress toot's final state: done, when, how long; no promise about the deadline any more.
    expect(final).toMatchObject({ id: 'progress-complete', at: '2023-02-12T17:15:00.000+01:00' });
    expect(final!.text.split('\n')[0]).toBe('✅ Wartung von wien.rocks abgeschlossen um 17:15 Uhr, nach 2 Stunden und 15 Minuten.');
    expect(final!.text).not.toContain('⬜');
    expect(final!.text).not.toContain('Spätestens');
    expect(final!.text).toContain('wien.rocks läuft wieder, jetzt auf Mastodon 4.0.');
    expect(timeline.some((e) => e.kind === 'backout')).toBe(false);
  });

  test('backout: a toot at the 20:00 deadline names it', () => {
    const timeline = timelines.backout;
    const backout = timeline.filter((e) => e.kind === 'backout');
    expect(backout).toHaveLength(1);
    expect(backout[0]).toMatchObject({ id: 'backout', at: '2023-02-12T20:00:00.000+01:00' });
    expect(backout[0]!.text).toContain('20:00 Uhr');
    expect(backout[0]!.text).toContain('5 von 9 Schritten erledigt');
    expect(timeline.at(-1)!.kind).toBe('backout');
    const final = timeline.filter((e) => e.kind === 'progress').at(-1)!;
    expect(final).toMatchObject({ id: 'progress-backout', at: '2023-02-12T20:00:00.000+01:00' });
    expect(final.text.split('\n')[0]).toBe('↩️ Wartung von wien.rocks um 20:00 Uhr abgebrochen: 5 von 9 Schritten waren erledigt.');
    expect(final.text).not.toMatch(/🚧|Spätestens|⬜/);
    expect(timeline.some((e) => e.kind === 'complete')).toBe(false);
  });
});

describe('no template escapes HTML', () => {
  const tricky = `Backup & Restore <db> "prod" 'alt' \`x\` a=b`;
  const milestone = 'Fertig & gut <3 "wirklich"';
  const text = [
    'id: entities',
    'instance: wien.rocks',
    'timezone: Europe/Vienna',
    'locale: de-AT',
    'contact: "@paula"',
    'window:',
    '  start: 2023-02-12T15:00',
    '  deadline: 2023-02-12T20:00',
    '  expectedDowntime: PT1H',
    'announcements:',
    '  - id: umzug',
    '    at: 2023-01-27T18:00',
    '    template: announcement',
    '  - id: termin',
    '    at: 2023-02-06T18:00',
    '    template: announcement',
    'reminders:',
    '  - id: tag',
    '    before: P1D',
    '    template: reminder',
    'tasks:',
    '  - id: backup',
    `    title: ${JSON.stringify(tricky)}`,
    '    at: 2023-02-12T15:00',
    `    milestone: ${JSON.stringify(milestone)}`,
    '  - id: dns',
    '    title: DNS <-> IP & "TTL"',
    '    at: 2023-02-12T15:30',
    '',
  ].join('\n');
  const s = parseSchedule(text, '/tmp/entities.yaml');
  const r = new TemplateRenderer(s.templateDirs);

  test('the schedule reads the titles as written', () => {
    expect(s.tasks.map((t) => t.title)).toEqual([tricky, 'DNS <-> IP & "TTL"']);
  });

  test.each(['complete', 'backout'] as const)('%s timeline: titles appear verbatim, no entity anywhere', (scenario) => {
    const timeline = planTimeline(s, r, scenario);
    const start = timeline.find((e) => e.kind === 'start')!;
    expect(start.text).toContain(`⬜ 15:00 ${tricky}`);
    expect(start.text).toContain('⬜ 15:30 DNS <-> IP & "TTL"');
    const milestoneToot = timeline.find((e) => e.kind === 'milestone')!;
    expect(milestoneToot.text).toBe(`✅ ${tricky}: erledigt um 15:00 Uhr (1 von 2).\n\n${milestone}`);
    for (const entry of timeline) {
      expect(entry.text, entry.id).not.toMatch(ENTITY);
      expect(entry.text, entry.id).not.toContain('&amp;');
      expect(entry.text, entry.id).not.toContain('&lt;');
      expect(entry.text, entry.id).not.toContain('&quot;');
      expect(entry.text, entry.id).not.toContain('&#');
    }
  });

  test('every template in templates/de renders without entities', () => {
    const names = readdirSync(`${DEFAULT_TEMPLATES_ROOT}/de`)
      .filter((f) => f.endsWith('.hbs') && !f.startsWith('_'))
      .map((f) => f.slice(0, -4));
    expect(names).toEqual(
      expect.arrayContaining(['announcement', 'reminder', 'start', 'progress', 'milestone', 'complete', 'backout', 'date-changed', 'cancelled']),
    );
    const { start } = s.window;
    const progress = { ...initialProgress(s), phase: 'running' as const };
    for (const name of names) {
      const { text: out } = r.render(
        name,
        tootContext(s, progress, start.minus({ days: 1 }), {
          entry: { id: 'x', at: start.minus({ days: 1 }) },
          taskId: 'backup',
          previousStart: start.minus({ days: 7 }),
        }),
      );
      expect(out, name).not.toMatch(ENTITY);
      expect(out.length, name).toBeGreaterThan(0);
    }
  });

  test('checkToots renders all of them within the limit', () => {
    const check = checkToots(s, r);
    expect(check.limit).toBe(500);
    expect(check.toots.map((t) => t.name)).toEqual([
      'announcement umzug',
      'announcement termin',
      'reminder tag',
      'start',
      'progress 0/2',
      'progress 1/2',
      'milestone backup',
      'progress 2/2',
      'progress (complete)',
      'complete',
      'start (late)',
      'progress (back-out, nothing done)',
      'backout (nothing done)',
      'progress (back-out, all but the last task done)',
      'backout (all but the last task done)',
      'date-changed',
      'cancelled',
      'deadline-moved',
      'correction backup',
    ]);
  });
});
