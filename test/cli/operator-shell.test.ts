import { DateTime } from 'luxon';
import { test } from 'vitest';
import { loadScheduleSources } from '../../src/schedule/load-schedules.ts';
import { rebasedWienRocks, REDIS_URL, rig, waitFor, type Rig } from '../support/harness.ts';
import { envFor, finished, lines, MARK, setUpRun, spawnHerold, tempDir, withText, writeSchedule } from '../app/support.ts';


/** Only what the operator commands need: Redis and the prefix (no Mastodon variables at all). */
const operatorEnv = (r: Rig) => ({ PATH: process.env.PATH, HOME: process.env.HOME, NODE_OPTIONS: '', REDIS_URL, HEROLD_PREFIX: r.config.prefix, HEROLD_COALESCE_MS: '200' });

// Every test has its own sandbox, prefix and files: they all run side by side.
test.concurrent('herold task, window and status from a shell reach the running service', { timeout: 120_000 }, async ({ expect, onTestFinished }) => {
  const r = await rig();
  const tmp = tempDir();
  onTestFinished(async () => {
    await r.close();
    tmp.cleanup();
  });
  // The service and the CLI load the same file, as on the day.
  // Scale 30: the deadline lies 10 minutes after the start, beyond the test on a loaded machine.
  const file = writeSchedule(tmp.dir, { ...rebasedWienRocks(200, 30), announcements: [], reminders: [] });
  const { schedule, source } = [...loadScheduleSources([file]).values()][0]!;
  const service = await r.start([schedule], { http: false, replies: false, sources: new Map([[schedule.id, source]]) });
  const start = await waitFor('start toot', () => withText(r.sandbox, MARK.start)[0], 10_000);
  const cli = (...args: string[]) => finished(spawnHerold([...args, '--schedule', file], operatorEnv(r)), 60_000);

  const task = await cli('task', schedule.id, 'abschaltung', 'done', '--note', 'Alles aus.');
  expect(task.stderr).toBe('');
  expect(task.code).toBe(0);
  expect(task.stdout).toContain(`✔ ${schedule.id}/abschaltung is done (version 1)`);
  await waitFor('edit', () => r.sandbox.status(start.id)!.text.includes('1 von 9 erledigt'), 10_000);
  expect((await service.operations.status(schedule.id)).tasks.find((t) => t.id === 'abschaltung')).toMatchObject({ status: 'done', note: 'Alles aus.' });

  const deadline = schedule.window.deadline.plus({ hours: 1 });
  const extend = await cli('window', schedule.id, 'extend', deadline.toISO()!);
  expect(extend.code).toBe(0);
  expect(extend.stdout).toContain(`is now ${deadline.toFormat('dd.MM.yyyy HH:mm')}`);
  expect((await service.operations.status(schedule.id)).deadline.toMillis()).toBe(deadline.toMillis());

  // Reading commands side by side.
  const [status, text, unknown] = await Promise.all([cli('status', schedule.id, '--json'), cli('status', schedule.id), cli('task', schedule.id, 'kaffee', 'done')]);
  expect(status.code).toBe(0);
  const report = JSON.parse(status.stdout) as {
    id: string;
    phase: string;
    window: { deadline: string };
    tasks: { id: string; status: string }[];
    posted: { tootId: string; statusId: string }[];
    pending: { id: string }[];
  };
  expect(report.id).toBe(schedule.id);
  expect(report.phase).toBe('running');
  expect(DateTime.fromISO(report.window.deadline).toMillis()).toBe(deadline.toMillis());
  expect(report.tasks.filter((t) => t.status === 'done').map((t) => t.id)).toEqual(['abschaltung']);
  // The start toot, and (once it has gone out) the reply that the deadline moved.
  expect(report.posted.filter((p) => p.tootId === 'start').map((p) => p.statusId)).toEqual([start.id]);
  expect(report.posted.map((p) => p.tootId).filter((id) => id !== 'start' && !id.startsWith('deadline-moved@'))).toEqual([]);
  expect(report.pending.some((j) => j.id.startsWith(`deadline.${schedule.id}.`))).toBe(true);

  expect(text.code).toBe(0);
  expect(text.stdout).toContain(`${schedule.id} (wien.rocks) · phase: running`);
  expect(text.stdout).toContain('PENDING JOBS');

  expect(unknown.code).toBe(1);
  expect(lines(unknown.stderr)).toHaveLength(1);
  expect(unknown.stderr).toMatch(/^✘ .*has no task "kaffee"/);

  const complete = await cli('window', schedule.id, 'complete');
  expect(complete.code).toBe(0);
  const reply = await waitFor('completion reply', () => withText(r.sandbox, MARK.complete)[0], 10_000);
  expect(reply.inReplyToId).toBe(start.id);
  await waitFor('unpinned', () => !r.sandbox.status(start.id)!.pinned, 5000);
});

test.concurrent('herold run with a refused token: exit 1 and one line naming MASTODON_ACCESS_TOKEN and the scopes', { timeout: 120_000 }, async (context) => {
  const { r, file } = await setUpRun(context);
  const child = spawnHerold(['run', file], envFor(r.config, { MASTODON_ACCESS_TOKEN: 'not-a-valid-token', PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'error' }));
  context.onTestFinished(() => child.stop());
  const result = await finished(child, 60_000);
  context.expect(result.code).toBe(1);
  const errors = lines(result.stderr);
  context.expect(errors).toHaveLength(1);
  context.expect(errors[0]).toContain('MASTODON_ACCESS_TOKEN');
  context.expect(errors[0]).toContain('HTTP 401');
  context.expect(errors[0]).toMatch(/write:statuses.*write:accounts/);
  context.expect(r.sandbox.statuses()).toHaveLength(0);
});

test.concurrent('herold run without MASTODON_URL: exit 1 and one line naming it', { timeout: 120_000 }, async (context) => {
  const { r, file } = await setUpRun(context);
  const env = envFor(r.config, { PORT: '0', HOST: '127.0.0.1' });
  delete env.MASTODON_URL;
  const child = spawnHerold(['run', file], env);
  context.onTestFinished(() => child.stop());
  const result = await finished(child, 60_000);
  context.expect(result.code).toBe(1);
  const errors = lines(result.stderr);
  context.expect(errors).toHaveLength(1);
  context.expect(errors[0]).toMatch(/^✘ MASTODON_URL is not set/);
  context.expect(r.sandbox.requests()).toHaveLength(0);
});

test.concurrent('herold run on SIGTERM: exits 0 within 10 s', { timeout: 120_000 }, async (context) => {
  const { r, file } = await setUpRun(context);
  const child = spawnHerold(['run', file], envFor(r.config, { PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info' }));
  context.onTestFinished(() => child.stop());
  await child.waitForOutput('Herold is running.', 60_000);
  const sent = Date.now();
  child.kill('SIGTERM');
  const result = await finished(child, 12_000);
  const took = Date.now() - sent;
  context.expect(result.signal).toBeNull();
  context.expect(result.code).toBe(0);
  context.expect(took).toBeLessThan(10_000);
  context.expect(result.stdout).toContain('Shutting down');
});
