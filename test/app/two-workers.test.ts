import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, expect, test } from 'vitest';
import { rebasedWienRocks, rig, waitFor, type Rig } from '../support/harness.ts';
import { expectUniqueKeys, iconCount, MARK, showsCompletion, spacedBeforeStart, withText } from './support.ts';
import { postKey } from '../../src/schedule/toot-ids.ts';

let r: Rig | undefined;
afterEach(async () => {
  await r?.close();
  r = undefined;
});

test('two services on the same prefix and schedule: every toot once, the progress toot never goes back to an older state', async () => {
  // A short coalescing window, so that many edits race between the two workers.
  r = await rig({}, { coalesceMs: 50 });
  const { sandbox } = r;
  // The start 5 s ahead: two services starting at once can take seconds while the suite's files run side by side.
  const schedule = spacedBeforeStart(rebasedWienRocks(5000, 600), 150);
  // Both upsert the same jobs and both run workers.
  const [a, b] = await Promise.all([r.start([schedule], { http: false, replies: false }), r.start([schedule], { http: false, replies: false })]);

  const start = await waitFor('start toot', () => withText(sandbox, MARK.start)[0], 10_000);
  // Operators on both sides: changes alternate between the services, in quick bursts.
  for (const [i, task] of schedule.tasks.entries()) {
    const ops = i % 2 === 0 ? a!.operations : b!.operations;
    await ops.taskChange(schedule.id, task.id, 'running');
    await ops.taskChange(schedule.id, task.id, 'done');
    await sleep(i % 3 === 2 ? 120 : 10);
  }

  await waitFor('completion', () => withText(sandbox, MARK.complete)[0], 10_000);
  await waitFor('final state shown', () => showsCompletion(sandbox.status(start.id)!.text), 10_000);
  await sleep(300);

  // Every toot exactly once.
  expect(withText(sandbox, MARK.move)).toHaveLength(1);
  expect(withText(sandbox, MARK.termin)).toHaveLength(1);
  expect(withText(sandbox, MARK.reminder)).toHaveLength(2);
  expect(withText(sandbox, MARK.start)).toHaveLength(1);
  expect(withText(sandbox, MARK.milestone)).toHaveLength(2);
  expect(withText(sandbox, MARK.complete)).toHaveLength(1);
  const keys = expectUniqueKeys(sandbox);
  expect(keys).toHaveLength(8);
  const recorded = await a!.store.allPosted(schedule.id);
  expect(recorded.map((p) => postKey(schedule, p.tootId)).sort()).toEqual([...keys].sort());

  // Edits are never stale: the done count only grows, and the final text is the latest state.
  const final = sandbox.status(start.id)!;
  expect(final.history.length).toBeGreaterThanOrEqual(3);
  const counts = final.history.slice(1).map((h) => Number(/(\d) von 9 erledigt/.exec(h.text)?.[1]));
  expect(counts).toEqual([...counts].sort((x, y) => x - y));
  expect(iconCount(final.text, '✅')).toBe(9);
  expect(iconCount(final.text, '⏳')).toBe(0);
  expect((await a!.store.edits(schedule.id)).shown.primary).toBe(await a!.store.version(schedule.id));
  expect(await a!.jobs.queue.getJobCountByTypes('failed')).toBe(0);
});
