import { afterEach, expect, test } from 'vitest';
import { rebasedWienRocks, rig, waitFor, type Rig } from '../support/harness.ts';

let r: Rig | undefined;
afterEach(async () => {
  await r?.close();
  r = undefined;
});

test('posts the start toot pinned, edits it as tasks finish, replies with milestones and completion', async () => {
  // A coalescing window far longer than nine task changes take, even on a loaded machine:
  // the test is about coalescing, not about how fast the changes arrive (with the suite's files
  // running side by side on 2 busy cores, nine changes have taken 4.5 s).
  const coalesceMs = 6000;
  r = await rig({}, { coalesceMs });
  const schedule = rebasedWienRocks(500);
  const service = await r.start([schedule]);
  const sandbox = r.sandbox;
  const start = await waitFor('start toot', () => sandbox.statuses().find((s) => s.history[0]!.text.includes('Es geht los')));
  // The pin follows the POST, so it may land a moment after the status appears.
  expect(await waitFor('start pinned', () => sandbox.status(start.id)!.pinned, 5000)).toBe(true);
  const began = Date.now();
  for (const task of schedule.tasks) await service.operations.taskChange(schedule.id, task.id, 'done');
  const tookMs = Date.now() - began;
  const complete = await waitFor('completion', () => sandbox.statuses().find((s) => s.text.includes('Geschafft')));
  expect(complete.inReplyToId).toBe(start.id);
  await waitFor('unpinned', () => !sandbox.status(start.id)!.pinned);
  // The progress toot ends in its final state: done, when and how long; the deadline promise is gone.
  const final = await waitFor('final progress state', () => (sandbox.status(start.id)!.text.startsWith('✅ Wartung') ? sandbox.status(start.id)! : undefined));
  expect(final.text).toMatch(/^✅ Wartung von wien\.rocks abgeschlossen um \d\d:\d\d Uhr, nach /);
  expect(final.text).not.toMatch(/⬜|Spätestens/);
  // Nine quick changes were coalesced into far fewer edits: the leading edit, then one per window they spanned.
  expect(tookMs).toBeLessThan(coalesceMs);
  expect(final.history.length).toBeLessThanOrEqual(3);
  expect(sandbox.statuses().filter((s) => s.text.includes('Geschafft'))).toHaveLength(1);
});
