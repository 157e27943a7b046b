import { setTimeout as sleep } from 'node:timers/promises';
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { HeroldMetrics } from '../../src/adapters/metrics/metrics.ts';
import { scheduleReadings } from '../../src/adapters/metrics/schedule-readings.ts';
import { parseSchedule } from '../../src/schedule/load-schedule.ts';
import { uniqueId } from '../support/harness.ts';
import { metricValue, webFixture } from './helpers.ts';

// The gauges of each maintenance, read from a real Redis at scrape time.
const fx = webFixture(`{herold-gauges-${uniqueId('g')}}`);
const seed = parseSchedule(readFileSync('schedules/wien-rocks-2023-02-12.yaml', 'utf8'), 'schedules/wien-rocks-2023-02-12.yaml');

describe('/metrics: phase, tasks done and total, deadline, last edit', () => {
  test('follow the state of each maintenance', async () => {
    const schedule = { ...seed, id: uniqueId('g') };
    const metrics = new HeroldMetrics();
    metrics.observe({ schedules: () => scheduleReadings(new Map([[schedule.id, schedule]]), fx.store) });
    const scrape = async () => (await metrics.text()).body;
    const s = `schedule="${schedule.id}"`;

    let text = await scrape();
    expect(metricValue(text, `herold_phase{${s},phase="announced"}`)).toBe(1);
    expect(metricValue(text, `herold_phase{${s},phase="running"}`)).toBe(0);
    expect(metricValue(text, `herold_tasks_done{${s}}`)).toBe(0);
    expect(metricValue(text, `herold_tasks_total{${s}}`)).toBe(seed.tasks.length);
    expect(metricValue(text, `herold_deadline_seconds{${s}}`)).toBe(seed.window.deadline.toSeconds());
    expect(metricValue(text, `herold_progress_last_edit_seconds{${s}}`)).toBe(0);

    await fx.store.transition(schedule.id, 'running', ['announced']);
    await fx.store.setTask(schedule.id, { taskId: seed.tasks[0]!.id, status: 'done', at: seed.window.start.toISO()!, note: null });
    await fx.store.setTask(schedule.id, { taskId: seed.tasks[1]!.id, status: 'skipped', at: seed.window.start.toISO()!, note: null });
    await fx.store.setTask(schedule.id, { taskId: seed.tasks[2]!.id, status: 'running', at: seed.window.start.toISO()!, note: null });
    await fx.store.setDeadline(schedule.id, seed.window.deadline.plus({ minutes: 30 }));
    await fx.store.recordShown(schedule.id, 'primary', 1, Date.parse('2023-02-12T14:12:00Z'));
    // A fresh scrape (the gauges read once per scrape, not per series).
    await sleep(300);

    text = await scrape();
    expect(metricValue(text, `herold_phase{${s},phase="announced"}`)).toBe(0);
    expect(metricValue(text, `herold_phase{${s},phase="running"}`)).toBe(1);
    expect(metricValue(text, `herold_tasks_done{${s}}`)).toBe(2);
    expect(metricValue(text, `herold_deadline_seconds{${s}}`)).toBe(seed.window.deadline.plus({ minutes: 30 }).toSeconds());
    expect(metricValue(text, `herold_progress_last_edit_seconds{${s}}`)).toBe(Date.parse('2023-02-12T14:12:00Z') / 1000);
    expect(text).toContain('# TYPE herold_phase gauge');
  });

  test('absent without a source, so a process that serves no maintenance shows none', async () => {
    const text = (await new HeroldMetrics().text()).body;
    expect(text).not.toMatch(/^herold_phase\{/m);
    expect(text).not.toMatch(/^herold_tasks_total\{/m);
  });
});
