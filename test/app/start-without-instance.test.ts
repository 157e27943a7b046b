import { setTimeout as sleep } from 'node:timers/promises';
import { createServer } from 'node:net';
import { Redis } from 'ioredis';
import { describe, expect, test } from 'vitest';
import type { Schedule } from '../../src/schedule/schedule.ts';
import { startSandbox } from '../../src/sandbox/index.ts';
import { REDIS_URL, rebasedWienRocks, rigForTest, waitFor } from '../support/harness.ts';
import { expectUniqueKeys, MARK, showsCompletion, sleepUntil, spacedBeforeStart, withText } from './support.ts';
import { postKey, reminderTootId } from '../../src/schedule/toot-ids.ts';

/**
 * Herold started while its instance does not answer: a pod restarted in the
 * middle of the maintenance. It must come up fully (status page, API,
 * probes, worker, fallback) and catch up once the instance is back.
 */

// The tests mostly wait for the instance to come back and for planned times: each has its own sandboxes,
// prefix and status page, and they run side by side.

/** Polls GET / every 100 ms and collects the status codes (0: no answer within a second). */
function watchStatusPage(url: string): { stop: () => Promise<number[]>; count: () => number } {
  const codes: number[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      const code = await fetch(`${url}/`, { signal: AbortSignal.timeout(1000) }).then(
        async (res) => (await res.text(), res.status),
        () => 0,
      );
      codes.push(code);
      await sleep(100);
    }
  })();
  return {
    count: () => codes.length,
    async stop() {
      running = false;
      await loop;
      return codes;
    },
  };
}

/** The wien.rocks day with its pre-start toots `spacingMs` apart, the first due `firstInMs` from now, the window 1 h → 600 ms. */
const day = (firstInMs: number, spacingMs: number): Schedule => spacedBeforeStart(rebasedWienRocks(firstInMs + 4 * spacingMs, 6000), spacingMs);

describe.concurrent.each([
  // The pre-start toots are due `spacing` apart; each in its own outage mode. (Toots due together keep
  // their planned order too: src/core/posting-order.ts, the last test of this file.)
  ['refuse', {}, 1500, 1500],
  // A POST answered 502 may have been committed behind nginx: Herold looks before posting it
  // again, once the earlier attempt can no longer commit (the 2 s request timeout here).
  ['html502', {}, 1500, 3000],
  // Commits at once but answers only after the request timeout (2 s in the tests).
  ['slow', { delayMs: 2500 }, 1500, 700],
] as const)('instance down at start (%s)', (mode, opts, firstInMs, spacingMs) => {
  test('Herold starts fully, shows since when the instance is unreachable, and posts everything once, in order, when it is back', async ({ onTestFinished }) => {
    const r = await rigForTest(onTestFinished, { maxCharacters: 640 });
    const { sandbox } = r;
    await sandbox.setOutage(mode, opts);
    const schedule = day(firstInMs, spacingMs);

    const started = Date.now();
    const service = await r.start([schedule], { replies: false });
    // The start does not wait for the instance longer than a few seconds.
    expect(Date.now() - started).toBeLessThan(4500);
    expect(service.httpUrl).not.toBeNull();
    const url = service.httpUrl!;
    const watcher = watchStatusPage(url);
    onTestFinished(async () => void (await watcher.stop()));

    // Probes, API, metrics and the status page, all while the instance is down.
    expect((await fetch(`${url}/readyz`)).status).toBe(200);
    const down = await waitFor('reachability in the API', async () => {
      const view = (await (await fetch(`${url}/api/schedules/${schedule.id}`)).json()) as { unreachable: { since: string; label: string } | null };
      return view.unreachable;
    }, 8000);
    expect(Date.parse(down.since)).toBeGreaterThanOrEqual(started - 5);
    expect(down.label).toMatch(/^wien\.rocks ist seit \d\d:\d\d Uhr nicht erreichbar\./);
    const page = await (await fetch(`${url}/`)).text();
    expect(page).toContain('nicht erreichbar');
    const metrics = await (await fetch(`${url}/metrics`)).text();
    expect(metrics).toMatch(/^herold_instance_reachable 0$/m);
    expect(Number(/^herold_instance_unreachable_since_seconds (\S+)$/m.exec(metrics)?.[1])).toBeCloseTo(Date.parse(down.since) / 1000, 0);
    // The limit before the instance ever answered: the schedule's.
    expect(service.characterLimit).toBe(500);

    // The first announcement falls due in the outage; the instance comes back before the second.
    await sleepUntil(schedule.announcements[0]!.at.plus({ milliseconds: 300 }));
    // (A slow instance takes each post at once and only answers too late: nothing to check here.)
    if (mode !== 'slow') expect(sandbox.statuses()).toHaveLength(0);
    // How many times the page was asked while the instance was down (a loaded machine asks fewer times).
    const askedDuringOutage = watcher.count();
    await sandbox.setOutage('none');

    const start = await waitFor('start toot', () => withText(sandbox, MARK.start)[0], 15_000);
    await sleepUntil(schedule.window.start.plus({ milliseconds: 300 }));
    for (const task of schedule.tasks) await service.operations.taskChange(schedule.id, task.id, 'done');
    const complete = await waitFor('completion', () => withText(sandbox, MARK.complete)[0], 10_000);
    await waitFor('both milestones', () => withText(sandbox, MARK.milestone).length === 2, 5000);
    await waitFor('final edit', () => showsCompletion(sandbox.status(start.id)!.text), 5000);

    // Everything once, in order: announcements, reminders, start, then its thread.
    const live = sandbox.statuses().filter((s) => !s.deletedAt);
    const order = [
      postKey(schedule, 'umzug-nach-wien'),
      postKey(schedule, 'termin'),
      postKey(schedule, reminderTootId('ein-tag-vorher', schedule.window.start)),
      postKey(schedule, reminderTootId('eine-stunde-vorher', schedule.window.start)),
      postKey(schedule, 'start'),
    ];
    expect(live.map((s) => s.idempotencyKey).slice(0, order.length)).toEqual(order);
    expect(withText(sandbox, MARK.start)).toHaveLength(1);
    expect(withText(sandbox, MARK.complete)).toHaveLength(1);
    expect(complete.inReplyToId).toBe(start.id);
    for (const m of withText(sandbox, MARK.milestone)) expect(m.inReplyToId).toBe(start.id);
    expect(expectUniqueKeys(sandbox)).toHaveLength(order.length + 3);
    expect(await service.jobs.queue.getJobCountByTypes('failed')).toBe(0);

    // The instance answered: its limit is used and kept for the next start; the page no longer says it is down.
    await waitFor('the background check to read the limit', () => service.characterLimit === 640, 5000);
    const redis = new Redis(REDIS_URL);
    expect(await redis.get(`${r.config.prefix}:instance:max-characters`)).toBe('640');
    redis.disconnect();
    const view = (await (await fetch(`${url}/api/schedules/${schedule.id}`)).json()) as { unreachable: unknown };
    expect(view.unreachable).toBeNull();
    expect(await (await fetch(`${url}/metrics`)).text()).toMatch(/^herold_instance_reachable 1$/m);

    // The status page answered every time, throughout.
    const codes = await watcher.stop();
    expect(askedDuringOutage).toBeGreaterThan(0);
    expect(codes.length).toBeGreaterThan(askedDuringOutage);
    expect(codes.filter((c) => c !== 200)).toEqual([]);
  });
});

test.concurrent('with a fallback account: started while the primary is down, the start and milestones go to the fallback meanwhile, then once to the primary', async ({ onTestFinished }) => {
  const fb = await startSandbox({ rateLimit: null, domain: 'fallback.example' });
  onTestFinished(() => fb.close());
  const r = await rigForTest(onTestFinished, {}, { fallback: { url: fb.url, accessToken: 'sandbox-token' } });
  const { sandbox } = r;
  await sandbox.setOutage('html502');
  const schedule: Schedule = { ...rebasedWienRocks(1500, 600), announcements: [], reminders: [] };
  const service = await r.start([schedule], { replies: false });

  const fbStart = await waitFor('start on the fallback', () => withText(fb, MARK.start)[0], 10_000);
  expect(fbStart.idempotencyKey).toBe(postKey(schedule, 'start', 'fallback'));
  for (const task of ['abschaltung', 'datenuebernahme', 'datenbank', 'upgrade']) await service.operations.taskChange(schedule.id, task, 'done');
  const fbMilestone = await waitFor('milestone on the fallback', () => withText(fb, MARK.milestone)[0], 10_000);
  expect(fbMilestone.inReplyToId).toBe(fbStart.id);
  expect(sandbox.statuses()).toHaveLength(0);
  expect(service.reachability().reachable).toBe(false);

  await sandbox.setOutage('none');
  const start = await waitFor('start on the primary', () => withText(sandbox, MARK.start)[0], 10_000);
  const milestone = await waitFor('milestone on the primary', () => withText(sandbox, MARK.milestone)[0], 10_000);
  expect(milestone.inReplyToId).toBe(start.id);
  await sleep(400);
  expect(withText(sandbox, MARK.start)).toHaveLength(1);
  expect(withText(sandbox, MARK.milestone)).toHaveLength(1);
  expect(expectUniqueKeys(fb).sort()).toEqual([postKey(schedule, 'milestone-upgrade', 'fallback'), postKey(schedule, 'start', 'fallback')]);
  expect(expectUniqueKeys(sandbox).sort()).toEqual([postKey(schedule, 'milestone-upgrade'), postKey(schedule, 'start')]);
  expect(service.reachability()).toEqual({ reachable: true, unreachableSince: null });
  expect(await service.jobs.queue.getJobCountByTypes('failed')).toBe(0);
});

test.concurrent('started while the instance is down, then it refuses the token: Herold stops with the clear message and posts nothing', async ({ onTestFinished }) => {
  const r = await rigForTest(onTestFinished, {}, { mastodonAccessToken: 'a-token-the-instance-does-not-know' });
  const { sandbox } = r;
  await sandbox.setOutage('refuse');
  const schedule: Schedule = { ...rebasedWienRocks(800, 600), announcements: [], reminders: [] };
  const service = await r.start([schedule], { replies: false });
  await sleepUntil(schedule.window.start.plus({ milliseconds: 300 }));

  await sandbox.setOutage('none');
  const error = await Promise.race([service.stopped, sleep(10_000).then(() => null)]);
  expect(error?.message).toBe(
    `MASTODON_ACCESS_TOKEN was refused by ${r.config.mastodonUrl} (HTTP 401). Create a token with the scopes write:statuses, write:accounts (for pinning), read:statuses (to look for a toot whose answer was lost) and read:notifications, and set it in MASTODON_ACCESS_TOKEN.`,
  );
  await sleep(1000);
  expect(sandbox.statuses()).toHaveLength(0);
});

test.concurrent('the character limit the instance told an earlier run is used when the next one starts while the instance is down', async ({ onTestFinished }) => {
  const r = await rigForTest(onTestFinished, { maxCharacters: 720 });
  const { sandbox } = r;
  const schedule: Schedule = { ...rebasedWienRocks(60_000, 600), announcements: [], reminders: [] };
  const first = await r.start([schedule], { replies: false, http: false });
  expect(first.characterLimit).toBe(720);
  await first.close();
  r.services.splice(0);

  await sandbox.setOutage('refuse');
  const second = await r.start([schedule], { replies: false, http: false });
  expect(second.characterLimit).toBe(720);
  expect(second.reachability().reachable).toBe(false);
});

test.concurrent('an instance that drops every connection without an answer: Herold starts, serves the status page and shows it unreachable', async ({ onTestFinished }) => {
  // What a crashing Puma behind a TCP load balancer looks like: the connection opens and is reset.
  const dropper = createServer((socket) => socket.destroy());
  await new Promise<void>((resolve) => dropper.listen(0, '127.0.0.1', resolve));
  try {
    const port = (dropper.address() as { port: number }).port;
    const r = await rigForTest(onTestFinished, {}, { mastodonUrl: `http://127.0.0.1:${port}` });
    const schedule: Schedule = { ...rebasedWienRocks(60_000, 600), announcements: [], reminders: [] };
    const started = Date.now();
    const service = await r.start([schedule], { replies: false });
    expect(Date.now() - started).toBeLessThan(4500);
    expect(service.reachability().reachable).toBe(false);
    expect((await fetch(`${service.httpUrl}/readyz`)).status).toBe(200);
    const page = await fetch(`${service.httpUrl}/s/${schedule.id}`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('nicht erreichbar');
    // Herold goes before the dropper does.
    await r.close();
  } finally {
    await new Promise<void>((resolve) => dropper.close(() => resolve()));
  }
});

test.concurrent('announcements and reminders that fell due together while the instance was down go out in their planned order', async ({ onTestFinished }) => {
  const r = await rigForTest(onTestFinished);
  const { sandbox } = r;
  await sandbox.setOutage('refuse');
  // All four at the same moment, a second from now; the window a minute later.
  const base = rebasedWienRocks(60_000, 1);
  const due = base.window.start.minus({ seconds: 59 });
  const schedule: Schedule = {
    ...base,
    announcements: base.announcements.map((a) => ({ ...a, at: due })),
    reminders: base.reminders.map((x) => ({ ...x, at: due })),
  };
  await r.start([schedule], { replies: false, http: false });
  // Each job fails against the refusing instance and backs off on its own clock (up to 500 ms here, jittered).
  await sleepUntil(due.plus({ seconds: 2 }));
  expect(sandbox.statuses()).toHaveLength(0);
  await sandbox.setOutage('none');
  await waitFor('the four toots', () => sandbox.statuses().length === 4, 15_000);
  expect(sandbox.statuses().map((s) => s.idempotencyKey)).toEqual([
    postKey(schedule, 'umzug-nach-wien'),
    postKey(schedule, 'termin'),
    postKey(schedule, reminderTootId('ein-tag-vorher', schedule.window.start)),
    postKey(schedule, reminderTootId('eine-stunde-vorher', schedule.window.start)),
  ]);
});
