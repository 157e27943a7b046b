/** One contract for every job queue (JobSink): BullMQ and memory must queue, list and remove alike. */
import { describe, expect, test } from 'vitest';
import type { HeroldJob } from '../../src/core/jobs.ts';
import { PRIORITY } from '../../src/core/jobs.ts';
import type { JobSink } from '../../src/core/ports/job-queue.ts';
import { uniqueId } from '../support/harness.ts';

export interface JobQueueFixture {
  readonly queue: JobSink;
  close(): Promise<void>;
}

export function jobQueueContract(name: string, make: () => Promise<JobQueueFixture>) {
  const withQueue = async (fn: (queue: JobSink, scheduleId: string) => Promise<void>) => {
    const fixture = await make();
    try {
      await fn(fixture.queue, uniqueId('jobs'));
    } finally {
      await fixture.close();
    }
  };
  const deadline = (scheduleId: string, hour: number): HeroldJob => ({ type: 'deadline', scheduleId, deadline: `2026-11-29T${hour}:00:00.000+01:00` });

  describe(`JobSink contract: ${name}`, () => {
    test('queued jobs are listed per schedule, soonest first, due at now + delay', () =>
      withQueue(async (queue, scheduleId) => {
        const before = Date.now();
        await queue.add(deadline(scheduleId, 18), { delayMs: 60_000 });
        await queue.add(deadline(scheduleId, 17), { delayMs: 30_000 });
        await queue.add(deadline(`${scheduleId}-other`, 17), { delayMs: 30_000 });
        const pending = await queue.pending(scheduleId);
        expect(pending.map((p) => p.data)).toEqual([deadline(scheduleId, 17), deadline(scheduleId, 18)]);
        expect(pending[0]!.dueAt).toBeGreaterThanOrEqual(before + 30_000);
        expect(pending[0]!.dueAt).toBeLessThan(Date.now() + 30_000 + 1000);
        expect(pending.map((p) => p.state)).toEqual(['delayed', 'delayed']);
        await queue.remove(pending[0]!.id);
        await queue.remove(pending[1]!.id);
        for (const p of await queue.pending(`${scheduleId}-other`)) await queue.remove(p.id);
      }));

    test('adding a job whose id is queued changes nothing (the first delay stays)', () =>
      withQueue(async (queue, scheduleId) => {
        await queue.add(deadline(scheduleId, 18), { delayMs: 60_000 });
        await queue.add(deadline(scheduleId, 18), { delayMs: 0, priority: PRIORITY.reply });
        const pending = await queue.pending(scheduleId);
        expect(pending).toHaveLength(1);
        expect(pending[0]!.state).toBe('delayed');
        await queue.remove(pending[0]!.id);
      }));

    test('a job due now waits with its priority; remove says whether it was there', () =>
      withQueue(async (queue, scheduleId) => {
        await queue.add({ type: 'progress', scheduleId, version: 3 });
        const [job] = await queue.pending(scheduleId);
        expect(job!.state).toBe('prioritized');
        expect(await queue.remove(job!.id)).toBe(true);
        expect(await queue.remove(job!.id)).toBe(false);
        expect(await queue.pending(scheduleId)).toEqual([]);
      }));
  });
}
