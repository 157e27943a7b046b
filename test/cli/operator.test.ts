import { writeFileSync } from 'node:fs';
import { DateTime } from 'luxon';
import { test } from 'vitest';
import { loadScheduleSources } from '../../src/schedule/load-schedules.ts';
import type { Schedule } from '../../src/schedule/schedule.ts';
import { rebasedWienRocks, REDIS_URL, rig, waitFor, type Rig } from '../support/harness.ts';
import { finished, lines, MARK, operator, scheduleYaml, spawnHerold, tempDir, withText, writeSchedule } from '../app/support.ts';

/** Only what the operator commands need: Redis and the prefix. */
const operatorEnv = (r: Rig) => ({ PATH: process.env.PATH, HOME: process.env.HOME, NODE_OPTIONS: '', REDIS_URL, HEROLD_PREFIX: r.config.prefix, HEROLD_COALESCE_MS: '200' });

/** A schedule written to a file, and what loading it gives (with the file's hash). */
function onDisk(dir: string, schedule: Schedule) {
  const file = writeSchedule(dir, schedule);
  const { schedule: loaded, source } = [...loadScheduleSources([file]).values()][0]!;
  return { file, schedule: loaded, source };
}

async function setUp(context: { onTestFinished: (fn: () => Promise<void> | void) => void }, startInMs = 200) {
  const r = await rig();
  const tmp = tempDir();
  context.onTestFinished(async () => {
    await r.close();
    tmp.cleanup();
  });
  // Scale 30: the deadline lies 10 minutes after the start, far beyond the test even on a loaded machine.
  const disk = onDisk(tmp.dir, { ...rebasedWienRocks(startInMs, 30), announcements: [], reminders: [] });
  const cli = (...args: string[]) => finished(spawnHerold(args, operatorEnv(r)), 60_000);
  return { r, tmp, ...disk, cli };
}

test.concurrent('without a running herold run: task, window and status say so, exit 1 and queue nothing; --queue-anyway queues', { timeout: 180_000 }, async ({ expect, onTestFinished }) => {
  const { r, file, schedule, cli } = await setUp({ onTestFinished }, 3_600_000);
  const where = `Kein laufendes herold run auf ${REDIS_URL} mit Präfix ${r.config.prefix}: die Änderung wird erst wirksam, wenn es läuft.`;
  const [task, extend, complete, status] = await Promise.all([
    cli('task', schedule.id, 'abschaltung', 'done', '--schedule', file),
    cli('window', schedule.id, 'extend', '+30m', '--schedule', file),
    cli('window', schedule.id, 'complete', '--schedule', file),
    cli('status', schedule.id, '--schedule', file),
  ]);
  for (const result of [task, extend, complete, status]) {
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`✘ ${where}`);
  }
  expect(task.stdout).toBe('');
  expect(status.stdout).toContain('(none: changes wait until herold run is started)');
  const ops = await operator(r.config, [schedule]);
  onTestFinished(() => ops.close());
  expect(await ops.jobs.pending(schedule.id)).toEqual([]);
  const progress = await ops.store.progress(schedule);
  expect(progress.tasks.abschaltung!.status).toBe('pending');
  expect(progress.phase).toBe('announced');
  expect(progress.deadline.toMillis()).toBe(schedule.window.deadline.toMillis());

  const anyway = await cli('task', schedule.id, 'abschaltung', 'erledigt', '--schedule', file, '--queue-anyway');
  expect(anyway.code).toBe(0);
  expect(anyway.stderr).toContain(`⚠ ${where}`);
  expect((await ops.store.progress(schedule)).tasks.abschaltung!.status).toBe('done');
  expect((await ops.jobs.pending(schedule.id)).map((j) => j.data.type)).toContain('progress');
});

test.concurrent('the service stores its schedules: no file needed; a command that read another version of the file is refused', { timeout: 180_000 }, async ({ expect, onTestFinished }) => {
  const { r, tmp, file, schedule, source, cli } = await setUp({ onTestFinished });
  const service = await r.start([schedule], { http: false, replies: false, sources: new Map([[schedule.id, source]]) });
  const start = await waitFor('start toot', () => withText(r.sandbox, MARK.start)[0], 10_000);

  // No --schedule, run from a directory without schedules/: the ids come from Redis.
  const task = await finished(spawnHerold(['task', schedule.id, 'abschaltung', 'fertig'], operatorEnv(r), tmp.dir), 60_000);
  expect(task.stderr).toBe('');
  expect([task.code, task.stderr]).toEqual([0, '']);
  expect(task.stdout).toContain(`✔ ${schedule.id}/abschaltung is done (version 1) since`);
  await waitFor('edit', () => r.sandbox.status(start.id)!.text.includes('1 von 9 erledigt'), 10_000);

  const status = await finished(spawnHerold(['status'], operatorEnv(r), tmp.dir), 60_000);
  expect([status.code, status.stderr]).toEqual([0, '']);
  expect(status.stdout).toContain('RUNNING (herold run on this Redis and prefix)');
  expect(status.stdout).toContain(source.hash);
  expect(status.stdout).toContain(file);

  // The operator edited the file, but the service still runs the old version.
  const edited = { ...schedule, tasks: schedule.tasks.map((t) => (t.id === 'tls' ? { ...t, title: 'Zertifikate erneuern' } : t)) };
  writeFileSync(file, scheduleYaml(edited));
  const stale = await cli('task', schedule.id, 'tls', 'done', '--schedule', file);
  expect(stale.code).toBe(1);
  expect(stale.stderr).toContain(`führt eine andere Fassung von ${schedule.id} (${file}, ${source.hash})`);
  expect(stale.stderr).toContain('--queue-anyway');
  expect((await service.operations.status(schedule.id)).tasks.find((t) => t.id === 'tls')!.status).toBe('pending');
});

test.concurrent('friendly input: German statuses, did-you-mean, a missing schedule id, extend 21:00 / +30m, earlier only with --yes', { timeout: 180_000 }, async ({ expect, onTestFinished }) => {
  const { r, schedule, source, cli } = await setUp({ onTestFinished });
  const service = await r.start([schedule], { http: false, replies: false, sources: new Map([[schedule.id, source]]) });
  await waitFor('start toot', () => withText(r.sandbox, MARK.start)[0], 10_000);
  const zone = schedule.timezone;

  const [german, typoTask, typoSchedule, typoStatus, missing] = await Promise.all([
    cli('task', schedule.id, 'tls', 'läuft'),
    cli('task', schedule.id, 'abschlatung', 'done'),
    cli('task', `${schedule.id}x`, 'tls', 'done'),
    cli('task', schedule.id, 'tls', 'fertg'),
    cli('task', 'tls', 'done'),
  ]);
  expect([german.code, german.stderr]).toEqual([0, '']);
  expect(german.stdout).toContain(`/tls is running (version`);
  expect(typoTask.code).toBe(1);
  expect(lines(typoTask.stderr)[0]).toMatch(/has no task "abschlatung"\. Did you mean "abschaltung"\?/);
  expect(typoSchedule.code).toBe(1);
  expect(typoSchedule.stderr).toContain(`Did you mean "${schedule.id}"?`);
  expect(typoStatus.code).toBe(1);
  expect(typoStatus.stderr).toContain('Did you mean "fertig"?');
  expect(missing.code).toBe(1);
  expect(missing.stderr).toBe(`✘ The schedule id is missing: herold task <schedule-id> <task-id> <status>, here: herold task ${schedule.id} tls done\n`);
  expect((await service.operations.status(schedule.id)).tasks.find((t) => t.id === 'abschaltung')!.status).toBe('pending');

  // A clock time means its next occurrence after the window's start, in the schedule's zone: two hours after
  // the deadline in force is later than it at any time of day ("23:59" was not, in a run at 23:50 Vienna
  // time with the deadline at 00:00, and was rightly refused as an earlier deadline).
  const target = schedule.window.deadline.setZone(zone).plus({ hours: 2 }).startOf('minute');
  const clock = await cli('window', schedule.id, 'extend', target.toFormat('HH:mm'));
  expect(clock.stderr).toBe('');
  expect(clock.stdout).toContain(`is now ${target.toFormat('dd.MM.yyyy HH:mm')}`);
  expect((await service.operations.status(schedule.id)).deadline.toMillis()).toBe(target.toMillis());

  const plus = await cli('window', schedule.id, 'extend', '+30m');
  expect([plus.code, plus.stderr]).toEqual([0, '']);
  expect((await service.operations.status(schedule.id)).deadline.toMillis()).toBe(target.plus({ minutes: 30 }).toMillis());

  // Between now and the deadline in force (target + 30 minutes, at least half an hour away): "now + 2 hours"
  // was after it when the run started after 21:30 in the zone (a CI run at 22:35 Vienna time showed it).
  const earlier = target.plus({ minutes: 15 });
  const refused = await cli('window', schedule.id, 'extend', earlier.toFormat("yyyy-MM-dd'T'HH:mm"));
  expect(refused.code).toBe(1);
  expect(refused.stderr).toContain('Add --yes to move it earlier.');
  expect((await service.operations.status(schedule.id)).deadline.toMillis()).toBe(target.plus({ minutes: 30 }).toMillis());
  const confirmed = await cli('window', schedule.id, 'extend', earlier.toFormat("yyyy-MM-dd'T'HH:mm"), '--yes');
  expect([confirmed.code, confirmed.stderr]).toEqual([0, '']);
  expect((await service.operations.status(schedule.id)).deadline.toMillis()).toBe(earlier.toMillis());

  const unreadable = await cli('window', schedule.id, 'extend', 'morgen');
  expect(unreadable.code).toBe(1);
  // The examples are the schedule's own dates: an hour after the deadline in force (here `earlier`; after
  // 23:00 in the zone that is the next day, which a failing CI run at 21:03 Vienna time showed).
  expect(unreadable.stderr).toContain(earlier.plus({ hours: 1 }).toFormat("yyyy-MM-dd'T'HH:mm"));
  expect(unreadable.stderr).not.toContain('2023');
  const noId = await cli('window', 'extend', '+30m');
  expect(noId.stderr).toBe(`✘ The schedule id is missing: herold window <schedule-id> extend +30m, here: herold window ${schedule.id} extend +30m\n`);
});

test.concurrent('herold faq ask answers with the live state while herold run runs, and from the file before', { timeout: 180_000 }, async ({ expect, onTestFinished }) => {
  const { r, schedule, source, cli } = await setUp({ onTestFinished });
  const ask = async () => JSON.parse((await cli('faq', 'ask', 'Wie ist der aktuelle Stand?', '--json')).stdout) as { id: string; live: boolean; text: string };
  const before = await ask();
  expect(before).toMatchObject({ id: 'status', live: false });
  expect(before.text).toContain("Los geht's");

  const service = await r.start([schedule], { http: false, replies: false, sources: new Map([[schedule.id, source]]) });
  await waitFor('start toot', () => withText(r.sandbox, MARK.start)[0], 30_000);
  await service.operations.taskChange(schedule.id, 'abschaltung', 'done');
  await service.operations.taskChange(schedule.id, 'upgrade', 'running');
  const during = await ask();
  expect(during).toMatchObject({ id: 'status', live: true });
  expect(during.text).toContain('Stand jetzt: 1 von 9 Schritten erledigt. Gerade dran: Upgrade auf Mastodon 4.0.');
});
