import { Redis } from 'ioredis';
import { DateTime } from 'luxon';
import { afterEach, describe, expect, test } from 'vitest';
import { systemClock } from '../../src/core/ports/clock.ts';
import { Operations } from '../../src/core/operations.ts';
import { BullJobSink } from '../../src/adapters/bullmq/bullmq-adapter.ts';
import { redisConnection } from '../../src/adapters/redis/connect.ts';
import { loadSchedule } from '../../src/schedule/load-schedule.ts';
import { StateStore } from '../../src/adapters/redis/state-store.ts';
import { VirtualClock } from '../../src/rehearsal/virtual-clock.ts';
import { lineDiff, formatDiff } from '../../src/rehearsal/diff.ts';
import { planRehearsal } from '../../src/rehearsal/plan.ts';
import { REDIS_URL, uniqueId } from '../support/harness.ts';

const zone = 'Europe/Vienna';
const at = (iso: string) => DateTime.fromISO(iso, { zone });

/** A real-time source the test moves by hand. */
function manualTime(start = 1_000_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

describe('VirtualClock', () => {
  test('runs `speed` times faster and converts delays both ways', () => {
    const real = manualTime();
    const clock = new VirtualClock({ start: at('2023-01-27T17:59'), speed: 60_000, realNow: real.now });
    expect(clock.now().toISO()).toBe(at('2023-01-27T17:59').toISO());
    real.advance(1000);
    // One real second is 60 000 virtual seconds: 16 h 40 min.
    expect(clock.now().toISO()).toBe(at('2023-01-28T10:39').toISO());
    // An hour of virtual time is 60 ms of real time, from any instant.
    expect(clock.realDelayMs(3_600_000)).toBeCloseTo(60, 6);
    expect(clock.realDelayMs(-60_000)).toBeCloseTo(-1, 6);
    expect(clock.realUntil(at('2023-01-28T10:40'))).toBeCloseTo(1, 6);
    expect(clock.zone).toBe(zone);
  });

  test('a slower segment stretches real time inside it; delays across its edges add up piece by piece', () => {
    const real = manualTime(0);
    const clock = new VirtualClock({
      start: at('2023-02-12T12:00'),
      speed: 10_000,
      segments: [{ from: at('2023-02-12T14:55'), to: at('2023-02-12T17:30'), speed: 100 }],
      realNow: real.now,
    });
    // 2 h 55 min at 10 000-fold: 1050 ms.
    expect(clock.realAt(at('2023-02-12T14:55'))).toBeCloseTo(1050, 6);
    // Then 5 min at 100-fold: 3000 ms more.
    expect(clock.realAt(at('2023-02-12T15:00'))).toBeCloseTo(4050, 6);
    // From 12:00, the delay to 15:00 is not 3 h / 10 000.
    expect(clock.realDelayMs(3 * 3_600_000)).toBeCloseTo(4050, 6);
    // Inverse mapping agrees.
    expect(clock.virtualAt(4050).toISO()).toBe(at('2023-02-12T15:00').toISO());
    real.advance(4050);
    expect(clock.speedAt(clock.now())).toBe(100);
    // 3 s of coalescing inside the window: 30 real ms.
    expect(clock.realDelayMs(3000)).toBeCloseTo(30, 6);
    // After the segment, the clock runs fast again.
    expect(clock.realAt(at('2023-02-12T18:30')) - clock.realAt(at('2023-02-12T17:30'))).toBeCloseTo(360, 6);
    expect(clock.maxSpeed).toBe(10_000);
    expect(clock.minSpeed).toBe(100);
  });

  test('where segments overlap, the slowest wins', () => {
    const clock = new VirtualClock({
      start: at('2023-02-12T14:00'),
      speed: 1000,
      segments: [
        { from: at('2023-02-12T14:50'), to: at('2023-02-12T16:00'), speed: 500 },
        { from: at('2023-02-12T14:59'), to: at('2023-02-12T15:01'), speed: 10 },
      ],
      realStart: 0,
      realNow: () => 0,
    });
    expect(clock.speedAt(at('2023-02-12T14:55'))).toBe(500);
    expect(clock.speedAt(at('2023-02-12T15:00'))).toBe(10);
    expect(clock.speedAt(at('2023-02-12T15:30'))).toBe(500);
    expect(clock.speedAt(at('2023-02-12T16:30'))).toBe(1000);
    // 50 min at 1000, 9 min at 500, 2 min at 10, 59 min at 500.
    expect(clock.realAt(at('2023-02-12T16:00'))).toBeCloseTo(3000 + 1080 + 12_000 + 7080, 6);
  });

  test('a real start in the future leaves time for booting: before it, the clock shows earlier times', () => {
    const real = manualTime(0);
    const clock = new VirtualClock({ start: at('2023-01-27T17:59'), speed: 60_000, realStart: 1000, realNow: real.now });
    expect(clock.now() < at('2023-01-27T17:59')).toBe(true);
    expect(clock.realUntil(at('2023-01-27T18:00'))).toBeCloseTo(1001, 6);
  });

  test('restartAt shifts the whole mapping to a new real start', () => {
    const real = manualTime(0);
    const clock = new VirtualClock({
      start: at('2023-02-12T14:00'),
      speed: 1000,
      segments: [{ from: at('2023-02-12T15:00'), to: at('2023-02-12T16:00'), speed: 100 }],
      realStart: 600_000,
      realNow: real.now,
    });
    expect(clock.realAt(at('2023-02-12T15:00'))).toBeCloseTo(603_600, 6);
    clock.restartAt(500);
    expect(clock.realStart).toBe(500);
    expect(clock.realAt(at('2023-02-12T15:00'))).toBeCloseTo(4100, 6);
    expect(clock.realAt(at('2023-02-12T16:00'))).toBeCloseTo(4100 + 36_000, 6);
    real.advance(4100);
    expect(clock.now().toISO()).toBe(at('2023-02-12T15:00').toISO());
  });

  test('the system clock converts nothing', () => {
    expect(systemClock.realDelayMs(1234)).toBe(1234);
    expect(Math.abs(systemClock.now().toMillis() - Date.now())).toBeLessThan(1000);
  });
});

describe('planned delays through Operations and BullMQ', () => {
  let cleanup: (() => Promise<void>) | null = null;
  afterEach(async () => {
    await cleanup?.();
    cleanup = null;
  });

  test('upsert turns each planned time into the real delay of the virtual clock', async () => {
    const schedule = loadSchedule('schedules/wien-rocks-2023-02-12.yaml');
    const prefix = `{herold-test-${uniqueId('clock')}}`;
    const redis = redisConnection(REDIS_URL, 'worker');
    const jobs = new BullJobSink(redis, prefix);
    cleanup = async () => {
      await jobs.close();
      const admin = new Redis(REDIS_URL);
      const keys = await admin.keys(`${prefix}*`);
      if (keys.length > 0) await admin.del(...keys);
      admin.disconnect();
      redis.disconnect();
    };
    const plan = planRehearsal(schedule, { speed: 60_000, windowSpeed: 1000, eventSpeed: 100, scenario: 'complete', questions: [], outage: false });
    const clock = new VirtualClock({ start: plan.clockStart, speed: plan.speed, segments: plan.segments });
    const ops = new Operations({ schedules: new Map([[schedule.id, schedule]]), store: new StateStore(redis, prefix), jobs, now: () => clock.now(), coalesceMs: 3000, clock });
    await ops.upsert(schedule);
    const pending = await jobs.pending(schedule.id);
    const planned = new Map<string, DateTime>([
      [`toot.${schedule.id}.umzug-nach-wien`, schedule.announcements[0]!.at],
      [`toot.${schedule.id}.termin`, schedule.announcements[1]!.at],
      [`toot.${schedule.id}.start`, schedule.window.start],
    ]);
    for (const [id, when] of planned) {
      const job = pending.find((p) => p.id === id);
      expect(job, id).toBeDefined();
      // BullMQ keeps whole milliseconds; the rest is the time between reading the clock and adding.
      expect(Math.abs(job!.dueAt - clock.realAt(when)), id).toBeLessThan(50);
    }
    // The start is 16 days away in virtual time but less than a minute in real time.
    const start = pending.find((p) => p.id === `toot.${schedule.id}.start`)!;
    expect(start.dueAt - Date.now()).toBeLessThan(60_000);
    expect(start.dueAt - Date.now()).toBeGreaterThan(10_000);
  });
});

describe('lineDiff', () => {
  test('removed lines before added ones, kept lines as context', () => {
    const before = '🚧 2 von 9 erledigt\n\n⬜ 15:10 Datenbank\n⬜ 15:15 Upgrade\nStand: 15:00 Uhr.';
    const after = '🚧 3 von 9 erledigt\n\n✅ 15:10 Datenbank\n⬜ 15:15 Upgrade\nStand: 15:10 Uhr.';
    expect(formatDiff(lineDiff(before, after))).toEqual([
      '- 🚧 2 von 9 erledigt',
      '+ 🚧 3 von 9 erledigt',
      '',
      '- ⬜ 15:10 Datenbank',
      '+ ✅ 15:10 Datenbank',
      '  ⬜ 15:15 Upgrade',
      '- Stand: 15:00 Uhr.',
      '+ Stand: 15:10 Uhr.',
    ]);
    expect(formatDiff(lineDiff('a\nb', 'a\nb\nc'), false)).toEqual(['+ c']);
  });
});
