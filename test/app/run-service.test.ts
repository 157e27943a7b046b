import { writeFileSync } from 'node:fs';
import { DateTime } from 'luxon';
import { test } from 'vitest';
import type { Schedule } from '../../src/schedule/schedule.ts';
import { loadScheduleSources } from '../../src/schedule/load-schedules.ts';
import { rebasedWienRocks, REDIS_URL, rig, waitFor } from '../support/harness.ts';
import { ownRedis } from './redis-server.ts';
import { envFor, finished, MARK, scheduleYaml, spawnHerold, tempDir, withText, writeSchedule, type Child } from './support.ts';

interface LogLine {
  readonly level: number;
  readonly msg: string;
  readonly [field: string]: unknown;
}

const jsonLines = (child: Child): LogLine[] =>
  child
    .stdout()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as LogLine);

test.concurrent('herold run with Redis down: one line per attempt, each within 5 s, and it starts once Redis is there', { timeout: 120_000 }, async ({ expect, onTestFinished }) => {
  const r = await rig();
  const redis = await ownRedis();
  await redis.stop();
  const tmp = tempDir();
  onTestFinished(async () => {
    await r.close();
    await redis.destroy();
    tmp.cleanup();
  });
  const file = writeSchedule(tmp.dir, { ...rebasedWienRocks(3_600_000, 1), announcements: [], reminders: [] });
  const env = envFor(r.config, { REDIS_URL: redis.url, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info' });
  const json = spawnHerold(['run', file], { ...env, LOG_FORMAT: 'json' });
  const pretty = spawnHerold(['run', file], { ...env, LOG_FORMAT: 'pretty' });
  onTestFinished(async () => {
    await json.stop();
    await pretty.stop();
  });

  await waitFor('three attempts', () => jsonLines(json).filter((l) => l.attempt !== undefined).length >= 3, 60_000).catch((error: Error) => {
    // What the child said, to tell a slow machine from a child that never got to its first attempt.
    throw new Error(`${error.message}. stdout: ${json.stdout().slice(-1500)} stderr: ${json.stderr().slice(-1500)}`);
  });
  const attempts = jsonLines(json).filter((l) => l.attempt !== undefined);
  expect(attempts.map((l) => l.attempt)).toEqual(attempts.map((_, i) => i + 1));
  for (const line of attempts) {
    expect(line.level).toBe(50);
    expect(line.msg).toMatch(new RegExp(`^Redis at ${redis.url} does not answer .* Trying again in \\d+ s \\(attempt ${line.attempt}\\)\\.$`));
    expect(line.tookMs as number).toBeLessThan(5000);
  }
  // Readable on a terminal: one plain line per attempt, no JSON.
  await waitFor('pretty attempts', () => pretty.stdout().includes('(attempt 2)'), 60_000);
  const readable = pretty.stdout().split('\n').filter((l) => l.includes('(attempt '));
  expect(readable.length).toBeGreaterThanOrEqual(2);
  for (const line of readable) {
    expect(line.startsWith('{')).toBe(false);
    expect(line).toMatch(/^\[\d\d:\d\d:\d\d\] ERROR: Redis at .* does not answer/);
  }

  await redis.start();
  await json.waitForOutput('Herold is running.', 60_000);
  await pretty.waitForOutput('Herold is running.', 60_000);
  json.kill('SIGTERM');
  pretty.kill('SIGTERM');
  expect((await finished(json, 30_000)).code).toBe(0);
  expect((await finished(pretty, 30_000)).code).toBe(0);
});

test.concurrent('herold run reloads a changed schedule file: invalid is refused with file:line and the old one runs; a moved window posts the date-changed toot once; status names the version', { timeout: 180_000 }, async ({ expect, onTestFinished }) => {
  const r = await rig();
  const tmp = tempDir();
  onTestFinished(async () => {
    await r.close();
    tmp.cleanup();
  });
  const base = rebasedWienRocks(3_600_000, 1);
  const now = DateTime.now().setZone(base.timezone);
  const first: Schedule = { ...base, announcements: [{ ...base.announcements[0]!, at: now.plus({ seconds: 1 }) }], reminders: [] };
  const file = writeSchedule(tmp.dir, first);
  const hashOf = () => [...loadScheduleSources([file]).values()][0]!.source.hash;
  const v1 = hashOf();
  const child = spawnHerold(['run', file], envFor(r.config, { PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', LOG_FORMAT: 'json' }));
  onTestFinished(() => child.stop());
  await child.waitForOutput('Herold is running.', 60_000);
  await waitFor('the announcement', () => withText(r.sandbox, MARK.move)[0], 30_000);
  const operatorEnv = { PATH: process.env.PATH, HOME: process.env.HOME, NODE_OPTIONS: '', REDIS_URL, HEROLD_PREFIX: r.config.prefix };
  const status = async () => JSON.parse((await finished(spawnHerold(['status', '--json'], operatorEnv, tmp.dir), 60_000)).stdout) as { running: { hash: string }[]; window: { start: string } };
  expect((await status()).running.map((s) => s.hash)).toEqual([v1]);

  // SIGHUP with nothing changed: read again, nothing to do.
  child.kill('SIGHUP');
  await child.waitForOutput('The schedule files are unchanged', 30_000);

  // A broken file: refused with its position, the old version keeps running.
  writeFileSync(file, scheduleYaml(first).replace(/^timezone: .*$/m, 'timezone: Mitteleuropa'));
  await waitFor('refused', () => jsonLines(child).find((l) => l.msg.startsWith('The changed schedule is refused')), 30_000);
  const problem = jsonLines(child).find((l) => l.msg.includes('is not an IANA time zone'))!;
  expect(problem.msg).toMatch(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+:\\d+: "Mitteleuropa" is not an IANA time zone`));
  expect((await status()).running.map((s) => s.hash)).toEqual([v1]);

  // The window moves an hour later: the new version runs, and followers hear of the new date once.
  const moved: Schedule = { ...first, window: { ...first.window, start: first.window.start.plus({ hours: 1 }), deadline: first.window.deadline.plus({ hours: 1 }) } };
  writeFileSync(file, scheduleYaml(moved));
  const v2 = hashOf();
  await waitFor('reloaded', () => jsonLines(child).find((l) => l.msg.startsWith(`Reloaded ${first.id}: now version ${v2}`)), 30_000);
  const changed = await waitFor('date-changed toot', () => withText(r.sandbox, MARK.dateChanged)[0], 30_000);
  const after = await status();
  expect(after.running.map((s) => s.hash)).toEqual([v2]);
  expect(DateTime.fromISO(after.window.start).toMillis()).toBe(moved.window.start.toMillis());
  // Posted toots stay as they are; nothing was posted twice.
  expect(withText(r.sandbox, MARK.move)).toHaveLength(1);
  expect(withText(r.sandbox, MARK.dateChanged).map((s) => s.id)).toEqual([changed.id]);
  child.kill('SIGTERM');
  expect((await finished(child, 30_000)).code).toBe(0);
});
