import { Writable } from 'node:stream';
import { pino } from 'pino';
import { test } from 'vitest';
import type { Schedule } from '../../src/schedule/schedule.ts';
import { rebasedWienRocks, rig, waitFor } from '../support/harness.ts';
import { MARK, withText } from './support.ts';

interface Line {
  readonly msg: string;
  readonly toot?: string;
  readonly url?: string;
}

/** A pino logger whose JSON lines land in an array. */
function recordingLog() {
  const lines: Line[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const l of chunk.toString('utf8').split('\n').filter(Boolean)) lines.push(JSON.parse(l) as Line);
      done();
    },
  });
  return { log: pino({ level: 'info' }, stream), lines };
}

test('every post, edit, pin, unpin and skip is one log line naming the toot and its URL', { timeout: 120_000 }, async ({ expect, onTestFinished }) => {
  const r = await rig();
  onTestFinished(() => r.close());
  const base = rebasedWienRocks(300, 30);
  // A reminder an hour late: beyond the grace period, so it is skipped.
  const schedule: Schedule = { ...base, announcements: [], reminders: [{ ...base.reminders[0]!, at: base.window.start.minus({ hours: 1 }) }] };
  const { log, lines } = recordingLog();
  const service = await r.start([schedule], { http: false, replies: false, log });
  const start = await waitFor('start toot', () => withText(r.sandbox, MARK.start)[0], 30_000);
  await service.operations.taskChange(schedule.id, 'upgrade', 'done');
  const milestone = await waitFor('milestone', () => withText(r.sandbox, MARK.milestone)[0], 30_000);
  await waitFor('edit', () => r.sandbox.status(start.id)!.text.includes('1 von 9 erledigt'), 30_000);
  await service.operations.declare(schedule.id, 'complete');
  const complete = await waitFor('completion', () => withText(r.sandbox, MARK.complete)[0], 30_000);
  await waitFor('unpinned', () => lines.find((l) => l.msg.startsWith('Unpinned')), 30_000);
  await waitFor('final edit', () => lines.filter((l) => l.msg.startsWith('Edited')).length >= 2, 30_000);

  const one = (prefix: string) => {
    const found = lines.filter((l) => l.msg.startsWith(prefix));
    expect(found, prefix).toHaveLength(1);
    return found[0]!;
  };
  expect(one('Posted the start toot (also the progress toot): ')).toMatchObject({ msg: `Posted the start toot (also the progress toot): ${start.url}`, toot: 'start', url: start.url });
  expect(one('Pinned the start toot: ').msg).toBe(`Pinned the start toot: ${start.url}`);
  expect(one('Posted the milestone of task upgrade: ').msg).toBe(`Posted the milestone of task upgrade: ${milestone.url}`);
  expect(one('Posted the complete toot: ').msg).toBe(`Posted the complete toot: ${complete.url}`);
  expect(one('Unpinned the start toot: ').msg).toBe(`Unpinned the start toot: ${start.url}`);
  expect(one(`Skipped the reminder ${schedule.reminders[0]!.id}: `).toot).toBeDefined();
  const edits = lines.filter((l) => l.msg.startsWith('Edited the progress toot to version '));
  expect(edits.length).toBeGreaterThanOrEqual(2);
  for (const edit of edits) expect(edit.msg).toMatch(new RegExp(`^Edited the progress toot to version \\d+: ${start.url!.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`));
  expect(lines.some((l) => / (start|complete|milestone) \1/.test(l.msg))).toBe(false);
});
