import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { LocalHttpServer } from '../../src/checks/local/local-http-server.ts';
import { localOnly } from '../../src/checks/local-only-route.ts';
import { taskChecks } from '../../src/doctor/task-checks.ts';
import { parseSchedule } from '../../src/schedule/load-schedule.ts';

const schedule = (url: string) =>
  parseSchedule(
    `id: doctor-checks
instance: wien.rocks
timezone: Europe/Vienna
locale: de-AT
window: { start: 2030-02-12T15:00, deadline: 2030-02-12T20:00, expectedDowntime: PT1H }
tasks:
  - { id: funktionstests, title: Funktionstests, check: { http: "${url}/health", contains: OK } }
  - { id: upgrade, title: Upgrade, check: { mastodonVersion: ">=4.0.0" } }
`,
    '/tmp/doctor.yaml',
  );

describe('herold doctor runs each task check once', () => {
  let http: LocalHttpServer;
  beforeAll(async () => {
    http = await new LocalHttpServer({ status: 503, body: 'Wartung' }).start();
  });
  afterAll(() => http.close());

  test('before the day: the old state is fine, a check that passes already is a warning; real hosts are not asked from a local setup', async () => {
    const s = schedule(http.url);
    const now = DateTime.fromISO('2030-02-01T12:00', { zone: 'Europe/Vienna' });
    const before = await taskChecks(s, localOnly, now);
    expect(before.map((r) => [r.status, r.check])).toEqual([
      ['ok', 'task-check funktionstests'],
      ['ok', 'task-checks doctor-checks'],
    ]);
    expect(before[0]!.message).toBe(`${http.url}/health: HTTP 503; does not pass yet (the old state).`);
    expect(before[1]!.message).toContain('1 of 2 task checks not run (upgrade)');
    expect(http.requests).toBe(1);

    http.answer = { status: 200, body: 'OK' };
    const already = await taskChecks(s, localOnly, now);
    expect(already[0]).toMatchObject({ status: 'warn', message: `${http.url}/health: HTTP 200; passes already, before the window.` });
    expect(already[0]!.fix).toContain('tell the new state from the old');
  });
});
