import { afterEach, test } from 'vitest';
import { rig, type Rig } from '../support/harness.ts';
import { playWienRocksDay } from './wien-rocks-day.ts';

let r: Rig | undefined;
afterEach(async () => {
  await r?.close();
  r = undefined;
});

test('the whole wien.rocks day, compressed: announcements, reminders, start, edits, milestones, completion', async () => {
  r = await rig();
  await playWienRocksDay(r);
});
