import { DateTime, Duration } from 'luxon';
import { describe, expect, test } from 'vitest';
import { nextStreak, NO_STREAK, type Streak } from '../../src/checks/check-streak.ts';
import { decide, type CheckSituation } from '../../src/checks/decide.ts';
import { propagation, seesNew } from '../../src/checks/propagation.ts';
import { mastodonSemver, versionMatches } from '../../src/checks/version-match.ts';

describe('Mastodon versions', () => {
  test.each([
    ['4.0.2', '>=4.0.0', true],
    ['3.5.5', '>=4.0.0', false],
    ['4.0.0rc1', '>=4.0.0', false],
    ['4.0.0rc1', '>=4.0.0-rc1', true],
    ['4.1.0-beta.1', '>=4.0.0', true],
    ['4.3.0+glitch', '>=4.0.0', true],
    ['4.0', '4.0.x', true],
    ['v4.0.0', '^4', true],
    ['nightly', '>=4.0.0', false],
  ])('%s in %s: %s', (reported, range, expected) => {
    expect(versionMatches(reported, range)).toBe(expected);
  });
  test('normalises the old pre-release spelling', () => {
    expect(mastodonSemver('4.0.0rc1')).toBe('4.0.0-rc1');
    expect(mastodonSemver('garbage')).toBeNull();
  });
});

describe('the verdict turns only after `passes` results in a row', () => {
  const run = (results: boolean[], passes: number) => {
    let streak: Streak = NO_STREAK;
    const turns: (boolean | null)[] = [];
    results.forEach((ok, i) => {
      const next = nextStreak(streak, ok, passes, `t${i}`);
      streak = next.streak;
      turns.push(next.turned ? streak.passing : null);
    });
    return { streak, turns };
  };
  test.each([
    [[true, true], 2, [null, true], true],
    [[true, false, true, false, true], 2, [null, null, null, null, null], null],
    [[false, false, true, true, false], 2, [null, false, null, true, null], true],
    [[true], 1, [true], true],
    [[true, true, true, false, false, false], 3, [null, null, true, null, null, false], false],
  ])('%j with passes %i', (results, passes, turns, passing) => {
    const r = run(results, passes);
    expect(r.turns).toEqual(turns);
    expect(r.streak.passing).toBe(passing);
  });
  test('since is the time of the turn', () => {
    expect(run([false, true, true, true], 2).streak.since).toBe('t2');
  });
});

describe('propagation', () => {
  const now = DateTime.fromISO('2023-02-12T15:40', { zone: 'Europe/Vienna' });
  const answer = (sees: boolean) => ({ resolver: 'x', sees, answers: [], error: null });
  test.each([
    [[true, true, true, false], '3 von 4 Resolvern sehen die neue Adresse'],
    [[true, false], '1 von 2 Resolvern sieht die neue Adresse'],
    [[false, false], '0 von 2 Resolvern sehen die neue Adresse'],
    [[true, true], 'Alle 2 Resolver sehen die neue Adresse'],
    [[true], 'Der Resolver sieht die neue Adresse'],
  ])('%j → %s', (sees, text) => {
    expect(propagation(sees.map(answer), null, null, now).text).toBe(text);
  });
  test('first seen plus the TTL says when everyone has it', () => {
    const first = DateTime.fromISO('2023-02-12T15:32', { zone: 'Europe/Vienna' });
    const p = propagation([answer(true), answer(false)], first, Duration.fromISO('PT5M'), now);
    expect(p.everyoneBy!.toISO()).toBe('2023-02-12T15:37:00.000+01:00');
    expect(p.everyoneByText).toBe('Seit 15:37 Uhr sollte die neue Adresse überall angekommen sein.');
    const later = propagation([answer(true)], first, Duration.fromISO('PT30M'), now);
    expect(later.everyoneByText).toBe('Spätestens um 16:02 Uhr sollte die neue Adresse überall angekommen sein.');
    expect(propagation([answer(false)], null, Duration.fromISO('PT5M'), now).everyoneBy).toBeNull();
  });
  test('over midnight the time carries its day: "am Montag um 00:20 Uhr", "Seit Sonntag, 23:58 Uhr"', () => {
    const vienna = (text: string) => DateTime.fromISO(text, { zone: 'Europe/Vienna' });
    const first = vienna('2023-02-12T23:50');
    const before = propagation([answer(true), answer(false)], first, Duration.fromISO('PT30M'), vienna('2023-02-12T23:55'));
    expect(before.everyoneByText).toBe('Spätestens am Montag um 00:20 Uhr sollte die neue Adresse überall angekommen sein.');
    const after = propagation([answer(true)], vienna('2023-02-12T23:50'), Duration.fromISO('PT8M'), vienna('2023-02-13T00:10'));
    expect(after.everyoneByText).toBe('Seit Sonntag, 23:58 Uhr sollte die neue Adresse überall angekommen sein.');
    const longAgo = propagation([answer(true)], vienna('2023-02-01T10:00'), Duration.fromISO('PT1H'), vienna('2023-02-13T00:10'));
    expect(longAgo.everyoneByText).toBe('Seit 1. Februar, 11:00 Uhr sollte die neue Adresse überall angekommen sein.');
  });
  test.each([
    [['203.0.113.10'], ['203.0.113.10'], true],
    [['203.0.113.10', '198.51.100.7'], ['203.0.113.10'], false],
    [['Ingress.Example.NET.'], ['ingress.example.net'], true],
    [[], ['203.0.113.10'], false],
  ])('answers %j for %j: sees the new one %s', (answers, expected, sees) => {
    expect(seesNew(answers, expected)).toBe(sees);
  });
});

describe('what a verdict does to the task', () => {
  const t = (hhmm: string) => DateTime.fromISO(`2023-02-12T${hhmm}`, { zone: 'Europe/Vienna' });
  const base: CheckSituation = {
    now: t('15:20'),
    windowStart: t('15:00'),
    phase: 'running',
    task: { status: 'pending', changedAt: null },
    confirm: 'ask',
    passing: true,
    acted: null,
  };
  test.each<[string, Partial<CheckSituation>, string]>([
    ['ask: a pass makes it ready', {}, 'ready'],
    ['auto: a pass makes it done', { confirm: 'auto' }, 'done'],
    ['not before the start', { now: t('14:59'), confirm: 'auto' }, 'wait'],
    ['not while failing', { passing: false }, 'none'],
    ['not before a verdict', { passing: null }, 'none'],
    ['the operator said running: the check may still finish it', { confirm: 'auto', task: { status: 'running', changedAt: t('15:10') } }, 'done'],
    ['the operator said failed: it stays failed', { confirm: 'auto', task: { status: 'failed', changedAt: t('15:10') } }, 'stop'],
    ['the operator already said done', { task: { status: 'done', changedAt: t('15:10') } }, 'stop'],
    ['ready and waiting', { acted: { action: 'ready', at: t('15:15') } }, 'none'],
    ['ready, then the operator said running: the check stands down', { acted: { action: 'ready', at: t('15:15') }, task: { status: 'running', changedAt: t('15:16') } }, 'stop'],
    ['a back-out ends all checks', { phase: 'backout', confirm: 'auto' }, 'stop'],
    ['still announced (start toot not out yet) but past the start: checks run', { phase: 'announced', confirm: 'auto' }, 'done'],
  ])('%s', (_name, change, action) => {
    expect(decide({ ...base, ...change }).action).toBe(action);
  });
});
