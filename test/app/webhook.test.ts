import { afterAll, beforeAll, expect, test } from 'vitest';
import type { HeroldService } from '../../src/app/herold-service.ts';
import type { Schedule } from '../../src/schedule/schedule.ts';
import type { SandboxStatus } from '../../src/sandbox/index.ts';
import { rebasedWienRocks, rig, waitFor, type Rig } from '../support/harness.ts';
import { MARK, withText } from './support.ts';

/** One running service for the whole file; each test posts to its webhook. */
let r: Rig;
let service: HeroldService;
let schedule: Schedule;
let start: SandboxStatus;
let token: string;

beforeAll(async () => {
  r = await rig();
  schedule = { ...rebasedWienRocks(200, 600), announcements: [], reminders: [] };
  service = await r.start([schedule], { replies: false });
  token = r.config.webhookToken!;
  start = await waitFor('start toot', () => withText(r.sandbox, MARK.start)[0], 10_000);
});
afterAll(async () => {
  await r?.close();
});

function post(path: string, body: string | object, headers: Record<string, string> = { authorization: `Bearer ${token}` }) {
  return fetch(`${service.httpUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

const errorOf = async (response: Response) => ((await response.json()) as { error: string }).error;

const taskPath = (taskId: string, scheduleId = schedule.id) => `/api/schedules/${scheduleId}/tasks/${taskId}`;

test('a task change with the bearer token: 200, and the edit arrives on the progress toot', async () => {
  const response = await post(taskPath('abschaltung'), { status: 'done' });
  expect(response.status).toBe(200);
  expect(await response.json()).toEqual({ ok: true, version: 1, completed: false });
  await waitFor('edit', () => r.sandbox.status(start.id)!.text.includes('1 von 9 erledigt'), 5000);
  expect(r.sandbox.status(start.id)!.history.length).toBe(2);

  // A note travels with the change into the milestone reply.
  const upgrade = await post(taskPath('upgrade'), { status: 'done', note: 'Ging schneller als gedacht.' });
  expect(upgrade.status).toBe(200);
  const milestone = await waitFor('milestone', () => withText(r.sandbox, MARK.milestone)[0], 5000);
  expect(milestone.inReplyToId).toBe(start.id);
  expect(milestone.text).toContain('Ging schneller als gedacht.');
  const events = (await service.operations.status(schedule.id)).events;
  expect(events.map((e) => [e.taskId, e.status, e.note])).toEqual([
    ['abschaltung', 'done', null],
    ['upgrade', 'done', 'Ging schneller als gedacht.'],
  ]);
});

test('401 without a token, with a wrong one, or with another scheme', async () => {
  const before = await service.store.version(schedule.id);
  for (const headers of [{} as Record<string, string>, { authorization: 'Bearer wrong-token-0123456789' }, { authorization: `Bearer ${token}x` }, { authorization: `Basic ${token}` }, { authorization: token }]) {
    const response = await post(taskPath('datenbank'), { status: 'done' }, headers);
    expect(response.status).toBe(401);
    expect((await errorOf(response))).toContain('Authorization: Bearer');
  }
  expect(await service.store.version(schedule.id)).toBe(before);
});

test('400 for malformed JSON, an unknown status, extra fields or an over-long note', async () => {
  const before = await service.store.version(schedule.id);
  const cases: [string | object, string][] = [
    ['{"status": "done"', 'not valid JSON'],
    ['', 'not valid JSON'],
    [{ status: 'finished' }, 'running|done|failed|skipped'],
    [{ status: 'pending' }, 'running|done|failed|skipped'],
    [{}, 'running|done|failed|skipped'],
    [{ status: 'done', extra: 1 }, 'nothing else'],
    [{ status: 'done', note: 'x'.repeat(201) }, 'running|done|failed|skipped'],
    [['done'], 'running|done|failed|skipped'],
  ];
  for (const [body, message] of cases) {
    const response = await post(taskPath('datenbank'), body);
    expect(response.status, JSON.stringify(body)).toBe(400);
    expect((await errorOf(response))).toContain(message);
  }
  expect(await service.store.version(schedule.id)).toBe(before);
});

test('404 for an unknown schedule or task, naming what exists', async () => {
  const unknownSchedule = await post(taskPath('datenbank', 'no-such-schedule'), { status: 'done' });
  expect(unknownSchedule.status).toBe(404);
  expect((await errorOf(unknownSchedule))).toContain(schedule.id);
  const unknownTask = await post(taskPath('kaffee'), { status: 'done' });
  expect(unknownTask.status).toBe(404);
  const error = await errorOf(unknownTask);
  expect(error).toContain('kaffee');
  expect(error).toContain('datenbank');
});

test('413 for a body over 16 KiB, before anything else is looked at', async () => {
  const before = await service.store.version(schedule.id);
  const big = JSON.stringify({ status: 'done', note: 'x'.repeat(17 * 1024) });
  const withToken = await post(taskPath('datenbank'), big);
  expect(withToken.status).toBe(413);
  expect((await errorOf(withToken))).toContain('16 KiB');
  const withoutToken = await post(taskPath('datenbank'), big, {});
  expect(withoutToken.status).toBe(413);
  // Just under the limit is read (and refused for its long note, not its size).
  const justUnder = await post(taskPath('datenbank'), JSON.stringify({ status: 'done', note: 'x'.repeat(15 * 1024) }));
  expect(justUnder.status).toBe(400);
  expect(await service.store.version(schedule.id)).toBe(before);
});
