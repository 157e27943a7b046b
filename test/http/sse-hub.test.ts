import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, test } from 'vitest';
import type { LiveState, Snapshot } from '../../src/http/live/live-state.ts';
import type { PublicView } from '../../src/http/views/public-view.ts';
import type { Schedule } from '../../src/schedule/schedule.ts';
import { StateHub } from '../../src/http/live/state-hub.ts';

const schedule = { id: 's1' } as Schedule;

/** A LiveState whose state is a number; reads are counted and may fail. */
function fakeLive() {
  const fake = {
    state: 1,
    reads: 0,
    failing: false,
    async snapshot(): Promise<Snapshot> {
      fake.reads += 1;
      if (fake.failing) throw new Error('Redis is away');
      return { version: fake.state } as unknown as Snapshot;
    },
    signature: (snapshot: Snapshot) => String(snapshot.version),
    view: (snapshot: Snapshot) => ({ id: 's1', version: snapshot.version }) as PublicView,
  };
  return fake;
}

describe('StateHub', () => {
  test('one poller for all watchers; a push only when the state changed', async () => {
    const live = fakeLive();
    const hub = new StateHub(live as unknown as LiveState, 20);
    const a: number[] = [];
    const b: number[] = [];
    const offA = hub.subscribe(schedule, (v) => a.push(v.version));
    await sleep(10);
    const offB = hub.subscribe(schedule, (v) => b.push(v.version));
    expect(hub.subscribers).toBe(2);
    await sleep(100);
    const readsBefore = live.reads;
    // About one read per tick, not per watcher.
    expect(readsBefore).toBeLessThanOrEqual(8);
    expect(a).toEqual([1]);
    expect(b).toEqual([1]);
    live.state = 2;
    await sleep(60);
    expect(a).toEqual([1, 2]);
    expect(b).toEqual([1, 2]);
    offA();
    offB();
    expect(hub.subscribers).toBe(0);
    const readsAfter = live.reads;
    await sleep(80);
    expect(live.reads).toBe(readsAfter);
    hub.close();
  });

  test('keeps the last view while reads fail, and catches up afterwards', async () => {
    const live = fakeLive();
    const hub = new StateHub(live as unknown as LiveState, 15);
    const seen: number[] = [];
    const off = hub.subscribe(schedule, (v) => seen.push(v.version));
    await sleep(40);
    live.failing = true;
    live.state = 3;
    await sleep(60);
    expect(seen).toEqual([1]);
    live.failing = false;
    await sleep(60);
    expect(seen).toEqual([1, 3]);
    off();
    hub.close();
  });

  test('close() ends every open stream and stops polling', async () => {
    const live = fakeLive();
    const hub = new StateHub(live as unknown as LiveState, 15);
    let ended = 0;
    hub.onClose(() => (ended += 1));
    hub.onClose(() => (ended += 1));
    hub.subscribe(schedule, () => undefined);
    await sleep(30);
    hub.close();
    expect(ended).toBe(2);
    const reads = live.reads;
    await sleep(50);
    expect(live.reads).toBe(reads);
  });
});
