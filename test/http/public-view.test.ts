import { DateTime } from 'luxon';
import { describe, expect, test } from 'vitest';
import { PHASE_LABELS, publicView, safeUrl, tootLabel } from '../../src/http/views/public-view.ts';
import { parseSchedule } from '../../src/schedule/load-schedule.ts';
import { initialProgress, withTask, type Progress } from '../../src/schedule/progress.ts';
import { readFileSync } from 'node:fs';

const file = 'schedules/wien-rocks-2023-02-12.yaml';
const schedule = parseSchedule(readFileSync(file, 'utf8'), file);
const zone = 'Europe/Vienna';
const at = (iso: string) => DateTime.fromISO(iso, { zone });

describe('publicView', () => {
  test('labels the phases in German', () => {
    expect(PHASE_LABELS).toEqual({ announced: 'angekündigt', running: 'läuft', complete: 'abgeschlossen', backout: 'zurückgerollt', cancelled: 'abgesagt' });
  });

  test('shows the window and times in the schedule time zone, whatever zone the state comes in', () => {
    let progress: Progress = { ...initialProgress(schedule), phase: 'running' };
    progress = withTask(progress, 'abschaltung', 'done', at('2023-02-12T15:04').toUTC());
    progress = withTask(progress, 'datenbank', 'running', at('2023-02-12T15:12').toUTC(), 'dauert');
    const view = publicView({ schedule, progress, posted: [], version: 2, faq: [], now: at('2023-02-12T15:20').toUTC() });
    expect(view.window.startLabel).toBe('Sonntag, 12. Februar 2023, 15:00 Uhr');
    expect(view.window.deadlineLabel).toBe('20:00 Uhr');
    expect(view.window.expectedEndLabel).toBe('16:00 Uhr');
    expect(view.window.downtimeLabel).toBe('eine Stunde');
    expect(view.window.zoneLabel).toBe('Europe/Vienna, MEZ');
    expect(view.updatedLabel).toBe('15:20 Uhr');
    expect(view.progress).toEqual({ done: 1, total: 9, label: '1 von 9 Schritten erledigt' });
    const [abschaltung, datenuebernahme, datenbank] = view.tasks;
    expect(abschaltung).toMatchObject({ plannedLabel: '15:00', status: 'done', statusLabel: 'erledigt', changedLabel: '15:04' });
    expect(datenuebernahme).toMatchObject({ plannedAt: null, plannedLabel: '—', status: 'pending', statusLabel: 'offen', changedLabel: '—' });
    expect(datenbank).toMatchObject({ status: 'running', statusLabel: 'läuft', changedLabel: 'seit 15:12', note: 'dauert' });
    expect(view.phaseText).toContain('läuft gerade');
  });

  test('relative times ("in 12 Min."), the calendar link and the fallback account as a profile link', () => {
    const withFallback = { ...schedule, fallbackAccount: '@wienrocks@mastodon.social' };
    const view = publicView({ schedule: withFallback, progress: initialProgress(schedule), posted: [], version: 0, faq: [], now: at('2023-02-12T14:48') });
    expect(view.window.startRelative).toBe('in 12 Min.');
    expect(view.window.expectedEndRelative).toBe('in 72 Min.');
    expect(view.window.deadlineRelative).toBe('in 5 Std.');
    expect(publicView({ schedule, progress: initialProgress(schedule), posted: [], version: 0, faq: [], now: at('2023-02-09T15:00') }).window.startRelative).toBe('in 3 Tagen');
    expect(view.calendarUrl).toBe(`/s/${schedule.id}.ics`);
    expect(view.fallbackAccount).toEqual({ handle: '@wienrocks@mastodon.social', url: 'https://mastodon.social/@wienrocks' });
    expect(view.ended).toBeNull();
  });

  test('after the end: the actual end and the duration, from the facts', () => {
    let progress: Progress = { ...initialProgress(schedule), phase: 'complete' };
    for (const task of schedule.tasks) progress = withTask(progress, task.id, 'done', at('2023-02-12T15:30'));
    progress = withTask(progress, schedule.tasks.at(-1)!.id, 'done', at('2023-02-12T16:35:40').toUTC());
    // The completion toot went out later (after an outage): the end is still when the last task was done.
    const posted = [{ tootId: 'complete', statusId: '9', url: null, at: '2023-02-12T16:10:00Z', account: 'primary' as const }];
    const view = publicView({ schedule, progress, posted, version: 9, faq: [], now: at('2023-02-12T17:20') });
    expect(view.ended).toEqual({ at: '2023-02-12T16:35:40.000+01:00', atLabel: '16:35 Uhr', durationLabel: '1 Stunde und 35 Minuten' });

    // Backed out at the deadline, its toot an hour late: the end is the deadline.
    const backout = publicView({ schedule, progress: { ...initialProgress(schedule), phase: 'backout' }, posted: [{ ...posted[0]!, tootId: 'backout', at: '2023-02-12T20:00:00Z' }], version: 3, faq: [], now: at('2023-02-12T21:30') });
    expect(backout.ended).toMatchObject({ atLabel: '20:00 Uhr', durationLabel: '5 Stunden' });
    // Backed out by the operator at 17:12, before the deadline: then.
    const early = publicView({ schedule, progress: { ...initialProgress(schedule), phase: 'backout' }, posted: [{ ...posted[0]!, tootId: 'backout', at: '2023-02-12T16:12:00Z' }], version: 3, faq: [], now: at('2023-02-12T18:00') });
    expect(early.ended).toMatchObject({ atLabel: '17:12 Uhr', durationLabel: '2 Stunden und 12 Minuten' });
    // Cancelled: it never ran.
    expect(publicView({ schedule, progress: { ...initialProgress(schedule), phase: 'cancelled' }, posted: [], version: 1, faq: [], now: at('2023-02-12T18:00') }).ended).toBeNull();
  });

  test('a deadline on another day carries its date; Austrian month names', () => {
    const progress = { ...initialProgress(schedule), deadline: at('2023-02-13T01:30') };
    const view = publicView({ schedule, progress, posted: [], version: 0, faq: [], now: at('2023-01-20T10:00') });
    expect(view.window.deadlineLabel).toBe('Mo, 13. Februar, 01:30 Uhr');
    expect(view.updatedLabel).toBe('20. Jänner 2023, 10:00 Uhr');
  });

  test('lists posted toots with German names, leaves out skipped ones and unsafe links', () => {
    const posted = [
      { tootId: 'umzug-nach-wien', statusId: '1', url: 'https://wien.rocks/@b2c/1', at: '2023-01-27T17:00:00Z', account: 'primary' as const },
      { tootId: 'ein-tag-vorher@20230212T140000Z', statusId: null, url: null, at: '2023-02-11T14:00:00Z', account: 'primary' as const, skipped: 'late' },
      { tootId: 'eine-stunde-vorher@20230212T140000Z', statusId: '2', url: 'javascript:alert(1)', at: '2023-02-12T13:00:00Z', account: 'primary' as const },
      { tootId: 'start', statusId: '3', url: 'https://wien.rocks/@b2c/3', at: '2023-02-12T14:00:00Z', account: 'primary' as const },
      { tootId: 'start.2', statusId: '4', url: 'https://wien.rocks/@b2c/4', at: '2023-02-12T14:00:01Z', account: 'primary' as const },
      { tootId: 'milestone-upgrade', statusId: '5', url: 'https://fallback.example/@b2c/5', at: '2023-02-12T14:20:00Z', account: 'fallback' as const },
    ];
    const view = publicView({ schedule, progress: initialProgress(schedule), posted, version: 0, faq: [], now: at('2023-02-12T16:00') });
    expect(view.toots.map((t) => [t.label, t.url])).toEqual([
      ['Ankündigung', 'https://wien.rocks/@b2c/1'],
      ['Erinnerung', null],
      ['Start und laufender Fortschritt', 'https://wien.rocks/@b2c/3'],
      ['Start und laufender Fortschritt (Teil 2)', 'https://wien.rocks/@b2c/4'],
      ['Meilenstein: Upgrade auf Mastodon 4.0 – über den Ausweich-Account', 'https://fallback.example/@b2c/5'],
    ]);
    expect(view.toots[0]!.atLabel).toBe('Fr, 27.01., 18:00 Uhr');
  });
});

describe('tootLabel and safeUrl', () => {
  test('names every kind of toot', () => {
    expect(tootLabel(schedule, 'termin')).toBe('Ankündigung');
    expect(tootLabel(schedule, 'complete')).toBe('Abschluss');
    expect(tootLabel(schedule, 'backout')).toBe('Rückkehr zur alten Installation');
    expect(tootLabel(schedule, 'cancelled')).toBe('Absage');
    expect(tootLabel(schedule, 'date-changed@20230219T140000Z')).toBe('Neuer Termin');
    expect(tootLabel(schedule, 'milestone-dns')).toBe('Meilenstein: DNS umstellen');
    expect(tootLabel(schedule, 'something-else')).toBe('Beitrag');
  });

  test('only http(s) URLs pass', () => {
    expect(safeUrl('https://wien.rocks/@b2c/1')).toBe('https://wien.rocks/@b2c/1');
    expect(safeUrl('http://127.0.0.1/x')).toBe('http://127.0.0.1/x');
    expect(safeUrl('javascript:alert(1)')).toBeNull();
    expect(safeUrl('data:text/html,hi')).toBeNull();
    expect(safeUrl('not a url')).toBeNull();
    expect(safeUrl(null)).toBeNull();
  });
});
