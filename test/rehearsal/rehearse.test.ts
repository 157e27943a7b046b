import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { DateTime } from 'luxon';
import { afterAll, describe, expect, test } from 'vitest';
import { rehearse, type RehearsalResult } from '../../src/rehearsal/rehearse.ts';
import type { TranscriptEvent } from '../../src/rehearsal/observer.ts';
import { REDIS_URL } from '../support/harness.ts';

const SCHEDULE = 'schedules/wien-rocks-2023-02-12.yaml';
const dir = mkdtempSync(path.join(tmpdir(), 'herold-rehearsal-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * Fast enough for a test (about 12 s), slow enough that every toot keeps its own minute. The window runs at
 * 5,000× (its five hours in 3.6 s): at 10,000× three rehearsals side by side on a loaded machine merged
 * task changes that came 0.25 s apart into one edit.
 */
const FAST = { speed: 400_000, windowSpeed: 5_000, eventSpeed: 1_000, redisUrl: REDIS_URL } as const;

type Toot = Extract<TranscriptEvent, { type: 'toot' }>;
const toots = (r: RehearsalResult) => r.events.filter((e): e is Toot => e.type === 'toot');
const tootIds = (r: RehearsalResult) => toots(r).flatMap((t) => (t.tootId ? [t.tootId] : []));

async function keysLeft(prefix: string): Promise<number> {
  const redis = new Redis(REDIS_URL);
  try {
    return (await redis.keys(`${prefix}*`)).length;
  } finally {
    redis.disconnect();
  }
}

const EXPECTED_TOOTS = [
  'umzug-nach-wien',
  'termin',
  'ein-tag-vorher@20230212T140000Z',
  'eine-stunde-vorher@20230212T140000Z',
  'start',
  'milestone-upgrade',
  'milestone-dns',
  'complete',
];

// The rehearsals mostly wait for their virtual clocks (about 2 s of CPU in 12 s each): these three run side
// by side, each with its own prefix, sandbox and transcript. Nothing here blocks the event loop they share.
describe.concurrent('herold rehearse', () => {
  test('a short rehearsal posts every toot exactly once and writes a transcript with toots, edit diffs and replies', async () => {
    const lines: string[] = [];
    const transcript = path.join(dir, 'complete.md');
    const result = await rehearse({ schedule: SCHEDULE, ...FAST, transcript, out: (l) => lines.push(l) });

    expect(result.problems).toEqual([]);
    expect(result.outcome).toBe('complete');
    expect(result.ok).toBe(true);
    expect(tootIds(result).sort()).toEqual([...EXPECTED_TOOTS].sort());
    expect(result.counts.duplicates).toBe(0);
    expect(result.counts.rateLimited).toBe(0);
    // Seven planned task times (15:30 twice) after the start toot: an edit each, give or take the coalescing.
    expect(result.counts.edits).toBeGreaterThanOrEqual(5);
    // Every toot close to its planned time in virtual time, however compressed. Around a toot this
    // test runs 1000-fold, so Redis' 100 ms tick is up to 100 virtual seconds; 20 minutes leave room
    // for a busy machine (the demo's defaults keep it to seconds).
    const byId = new Map(toots(result).map((t) => [t.tootId, t]));
    const minutesLate = (id: string, planned: string) => byId.get(id)!.at.diff(DateTime.fromISO(planned, { zone: 'Europe/Vienna' }), 'minutes').minutes;
    for (const [id, planned] of [
      ['umzug-nach-wien', '2023-01-27T18:00'],
      ['termin', '2023-02-06T18:00'],
      ['ein-tag-vorher@20230212T140000Z', '2023-02-11T15:00'],
      ['start', '2023-02-12T15:00'],
    ] as const) {
      expect(minutesLate(id, planned), id).toBeGreaterThanOrEqual(0);
      expect(minutesLate(id, planned), id).toBeLessThan(20);
    }

    // The FAQ answered the simulated users.
    expect(result.counts.questions).toBe(6);
    expect(result.counts.replies).toBeGreaterThan(0);

    const markdown = readFileSync(transcript, 'utf8');
    expect(markdown).toBe(result.transcript.markdown);
    expect(markdown).toContain('# Probe: wien-rocks-2023-02-12 (wien.rocks)');
    expect(markdown).toContain('📣 Tröt `umzug-nach-wien`');
    expect(markdown).toContain('Gute Nachrichten: wien.rocks zieht um');
    expect(markdown).toMatch(/```diff\n(.*\n)*?- .*\d von 9 erledigt\n\+ .*\d von 9 erledigt\n/);
    expect(markdown).toContain('+ ✅ 17:15 Neue Zertifikate aktivieren');
    expect(markdown).toContain('💬 Antwort an @');
    expect(markdown).toContain('↪️  Antwort im Thread `complete`');
    expect(markdown).toContain('**Wartung abgeschlossen**');
    // The demo ends by showing the progress toot's final state: done, when, how long.
    expect(markdown).toMatch(/### Der Fortschritts-Tröt am Ende\n\n```text\n✅ Wartung von wien\.rocks abgeschlossen um \d\d:\d\d Uhr, nach /);
    expect(lines).toContain('Der Fortschritts-Tröt am Ende:');
    // Task checks against local stand-ins: at the planned time the sandbox reports 4.0, the check marks
    // the task "bereit" and the rehearsal's operator confirms it; the same for DNS, TLS and the health check.
    expect(result.events.some((e) => e.type === 'world' && e.text === 'Die Instanz meldet jetzt Mastodon 4.0.0')).toBe(true);
    expect(result.events.some((e) => e.type === 'check' && e.taskId === 'upgrade' && e.text === 'bereit (Version 4.0.0); die Betreiberin bestätigt')).toBe(true);
    for (const id of ['upgrade', 'funktionstests', 'dns', 'tls']) {
      expect(result.events.some((e) => e.type === 'task' && e.taskId === id && e.status === 'done' && e.note === 'nach der Prüfung bestätigt'), id).toBe(true);
    }
    expect(markdown).toMatch(/🔎 Prüfung `dns` \(DNS umstellen\): (\d von 4 Resolvern sehen|Alle 4 Resolver sehen) die neue Adresse\. (Spätestens (am \S+ )?um |Seit (\S+, )?)\d\d:\d\d Uhr/);

    // The live transcript and the one-line summary.
    expect(lines.some((l) => l.includes('📣 Tröt umzug-nach-wien'))).toBe(true);
    expect(lines.some((l) => /^\s+- .*von 9 erledigt/.test(l))).toBe(true);
    expect(result.summary).toMatch(/^✔ Wartung abgeschlossen in [\d,]+ s: 8 Tröts, \d+ Bearbeitungen, \d+ Antworten auf 6 Fragen, 0 × HTTP 429, 0 Duplikate\. Protokoll: /);
    expect(result.statusPage).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/s\/wien-rocks-2023-02-12$/);
    // The fresh prefix is gone from Redis.
    expect(await keysLeft(result.prefix)).toBe(0);
  }, 90_000);

  test('the back-out scenario ends with the back-out reply at the deadline', async () => {
    const result = await rehearse({ schedule: SCHEDULE, ...FAST, scenario: 'backout', questions: [], transcript: false });
    expect(result.problems).toEqual([]);
    expect(result.outcome).toBe('backout');
    expect(result.ok).toBe(true);
    const backout = toots(result).find((t) => t.tootId === 'backout')!;
    expect(backout.kind).toBe('thread');
    expect(backout.at.toFormat('HH')).toBe('20');
    expect(tootIds(result)).not.toContain('complete');
    expect(result.transcript.path).toBeNull();
  }, 90_000);

  test('--mastodon-version 4.0: the day the wien.rocks admins upgraded to, with no notification policy, still ends with every toot once and every question answered', async () => {
    const result = await rehearse({ schedule: SCHEDULE, ...FAST, mastodonVersion: '4.0', transcript: false });
    expect(result.problems).toEqual([]);
    expect(result.ok).toBe(true);
    expect(tootIds(result).sort()).toEqual([...EXPECTED_TOOTS].sort());
    expect(result.counts.duplicates).toBe(0);
    expect(result.counts.questions).toBeGreaterThan(0);
    expect(result.counts.answered).toBe(result.counts.questions);
  }, 90_000);
});

// On its own, after the others: its outage lasts 0.9 s of real time, and the fallback account's edits
// must fall into it, which rehearsals running beside it in the same event loop made miss under load.
describe('herold rehearse --outage', () => {
  test('--outage: the instance is down for the expected downtime, followers follow on the fallback account, and the full state is still delivered once', async () => {
    // The window runs at 4,000× (the deadline 4.5 s after the start): after the outage Herold catches up on
    // every change at once, which on a loaded machine took longer than the 1.8 s the 10,000× window leaves.
    const result = await rehearse({ schedule: SCHEDULE, ...FAST, windowSpeed: 4_000, outage: true, questions: [], transcript: path.join(dir, 'outage.md') });
    const onPrimary = (e: TranscriptEvent) => !('account' in e) || e.account === undefined;

    expect(result.problems).toEqual([]);
    expect(result.outcome).toBe('complete');
    expect(tootIds({ ...result, events: result.events.filter(onPrimary) }).sort()).toEqual([...EXPECTED_TOOTS].sort());
    expect(result.counts.duplicates).toBe(0);
    const outages = result.events.filter((e) => e.type === 'outage');
    expect(outages.map((e) => e.at.toFormat('HH:mm'))).toEqual(['15:00', '16:00']);
    // Nothing reached the instance while it was down (the start toot may just beat the outage, as on the day).
    const during = result.events.filter((e) => (e.type === 'toot' || e.type === 'edit') && e.at > outages[0]!.at.plus({ minutes: 2 }) && e.at < outages[1]!.at);
    expect(during.filter(onPrimary)).toEqual([]);
    // Meanwhile the fallback account (the schedule's fallbackAccount, on a second sandbox) carried the start toot and its edits.
    const fallback = result.events.filter((e) => (e.type === 'toot' || e.type === 'edit') && !onPrimary(e));
    expect(fallback.find((e) => e.type === 'toot' && e.tootId === 'start')).toMatchObject({ account: '@wienrocks@mastodon.social' });
    // (Its edits follow the task changes made during the outage; on a loaded machine the last of them may
    // land just after the outage's virtual hour, which lasts 0.9 s here.)
    expect(fallback.some((e) => e.type === 'edit' && e.at > outages[0]!.at)).toBe(true);
    // The outage tells where followers could follow.
    expect(outages[0]).toMatchObject({ down: true, followAt: ['auf https://status.wien.rocks/', 'bei @wienrocks@mastodon.social'] });
    expect(result.transcript.markdown).toContain('🔌 Die Instanz ist nicht erreichbar (simulierter Ausfall). Follower finden den Stand auf https://status.wien.rocks/ und bei @wienrocks@mastodon.social.');
    expect(result.transcript.markdown).toContain('- Ausweichkonto während des Ausfalls: @wienrocks@mastodon.social');
    expect(result.transcript.markdown).toContain('📣 Tröt `start` auf dem Ausweichkonto @wienrocks@mastodon.social');
    // The task changes made during the outage all reached the progress toot afterwards.
    const edits = result.events.filter((e) => e.type === 'edit' && onPrimary(e));
    expect(edits[0]!.at >= outages[1]!.at).toBe(true);
    // The progress toot ends in its final state, and the transcript shows it whole.
    const lastEdit = result.events.filter((e) => e.type === 'edit' && e.tootId === 'start' && onPrimary(e)).at(-1) as Extract<TranscriptEvent, { type: 'edit' }>;
    expect(lastEdit.after).toMatch(/^✅ Wartung von wien\.rocks abgeschlossen um \d\d:\d\d Uhr, nach (\d+ Stunden?( und \d+ Minuten?)?|\d+ Minuten?)\./);
    expect(result.transcript.markdown).toContain(`### Der Fortschritts-Tröt am Ende\n\n\`\`\`text\n${lastEdit.after}\n\`\`\``);
    expect(result.transcript.markdown).toContain('🔌 Die Instanz ist wieder erreichbar.');
    expect(await keysLeft(result.prefix)).toBe(0);
  }, 90_000);
});

// After the rehearsals: spawnSync holds the event loop, which a running rehearsal's clock must not miss.
describe('herold rehearse with a Mastodon release it does not know', () => {
  test('--mastodon-version with a release the sandbox does not model: one line naming the choices, exit 1', () => {
    const run = spawnSync('node', ['bin/herold.js', 'rehearse', SCHEDULE, '--mastodon-version', '3.9'], { encoding: 'utf8', timeout: 60_000 });
    expect(run.status).toBe(1);
    expect(run.stderr.trim()).toBe('✘ --mastodon-version must be one of 4.0, 4.3, 4.5, 4.6; got "3.9".');
  }, 60_000);
});

describe('npm run demo without Redis', () => {
  test('ends in one line that says how to get a Redis, exit 1, no stack trace', () => {
    const run = spawnSync('npm', ['run', 'demo'], {
      env: { ...process.env, REDIS_URL: 'redis://127.0.0.1:1' },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(run.status).toBe(1);
    const stderr = run.stderr.split('\n').filter((l) => l.trim() !== '');
    const last = stderr.at(-1)!;
    expect(last).toMatch(/^✘ Redis at redis:\/\/127\.0\.0\.1:1 does not answer/);
    expect(last).toContain('apt-get install redis-server');
    expect(last).toContain('docker run -p 6379:6379 redis:7');
    expect(`${run.stdout}\n${run.stderr}`).not.toMatch(/^\s+at /m);
    expect(stderr.filter((l) => l.startsWith('✘'))).toHaveLength(1);
  }, 60_000);
});
