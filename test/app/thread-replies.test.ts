import { test } from 'vitest';
import { rebasedWienRocks, rig, waitFor } from '../support/harness.ts';
import { MARK, withText } from './support.ts';
import { setTimeout as sleep } from 'node:timers/promises';

test('a moved deadline and a milestone that no longer holds are each said once in the thread', { timeout: 120_000 }, async ({ expect, onTestFinished }) => {
  const r = await rig();
  onTestFinished(() => r.close());
  const schedule = { ...rebasedWienRocks(300, 30), announcements: [], reminders: [] };
  const service = await r.start([schedule], { http: false, replies: false });
  const start = await waitFor('start toot', () => withText(r.sandbox, MARK.start)[0], 30_000);
  const ops = service.operations;

  // Later deadline: a short reply in the thread, once per new deadline, however often it is typed.
  const later = await ops.extend(schedule.id, '+30m');
  await ops.extend(schedule.id, later.toISO()!);
  const moved = await waitFor('deadline reply', () => withText(r.sandbox, 'Wir brauchen länger')[0], 30_000);
  expect(moved.inReplyToId).toBe(start.id);
  // With its weekday when the new deadline falls after midnight (a run late in the evening).
  const local = later.setZone(schedule.timezone).setLocale('de-AT');
  expect(moved.text).toContain(`${local.toFormat('HH:mm')} Uhr ist wien.rocks wieder da, notfalls auf der bisherigen Installation.`);
  expect(moved.text).toMatch(new RegExp(`Spätestens (am ${local.toFormat('cccc')} )?um ${local.toFormat('HH:mm')} Uhr`));
  expect(moved.text).not.toContain('Uhr Uhr');

  // The upgrade's milestone went out; then the upgrade failed after all.
  await ops.taskChange(schedule.id, 'upgrade', 'erledigt');
  const milestone = await waitFor('milestone', () => withText(r.sandbox, MARK.milestone)[0], 30_000);
  await ops.taskChange(schedule.id, 'upgrade', 'fehlgeschlagen', 'Die Migration bricht ab.');
  await ops.taskChange(schedule.id, 'upgrade', 'failed', 'Die Migration bricht ab.');
  const correction = await waitFor('correction', () => withText(r.sandbox, 'Korrektur:')[0], 30_000);
  expect(correction.inReplyToId).toBe(start.id);
  expect(correction.text).toContain('Upgrade auf Mastodon 4.0 ist doch noch nicht erledigt – Die Migration bricht ab.');
  expect(correction.id > milestone.id).toBe(true);

  // Nothing more arrives: one reply each.
  await sleep(2000);
  expect(withText(r.sandbox, 'Wir brauchen länger')).toHaveLength(1);
  expect(withText(r.sandbox, 'Korrektur:')).toHaveLength(1);
  const posted = (await service.store.allPosted(schedule.id)).map((p) => p.tootId);
  expect(posted.filter((id) => id.startsWith('deadline-moved@'))).toHaveLength(1);
  expect(posted.filter((id) => id === 'correction-upgrade')).toHaveLength(1);

  // A repeated done keeps the first completion time.
  await ops.taskChange(schedule.id, 'tls', 'done');
  const first = (await ops.status(schedule.id)).tasks.find((t) => t.id === 'tls')!.changedAt!;
  await sleep(1100);
  const again = await ops.taskChange(schedule.id, 'tls', 'done');
  expect(again.at.toMillis()).toBe(first.toMillis());
  expect((await ops.status(schedule.id)).tasks.find((t) => t.id === 'tls')!.changedAt!.toMillis()).toBe(first.toMillis());
});
