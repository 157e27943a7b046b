import { setTimeout as sleep } from 'node:timers/promises';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test, type TestContext } from 'vitest';
import { jobId } from '../../src/core/jobs.ts';
import { MAX_FAULT_ATTEMPTS } from '../../src/adapters/bullmq/bullmq-adapter.ts';
import type { Schedule } from '../../src/schedule/schedule.ts';
import type { Sandbox } from '../../src/sandbox/index.ts';
import { capturingLog } from '../replies/helpers.ts';
import { rebasedWienRocks, rig, waitFor, type Rig } from '../support/harness.ts';
import { MARK, operator, withText } from './support.ts';

/**
 * What becomes of a job that cannot simply post: a full pin list, a task
 * that failed after it was reported done, a deadline job promoted early, an
 * announcement whose window has opened, a template that breaks while Herold
 * runs. Each ends posted or skipped with a reason that is logged and shown in
 * `herold status` (Operations.status), never dropped in silence.
 */

/** A logger whose records (with the job id where there is one) the test can read. */
function capturedLog() {
  const { log, lines } = capturingLog();
  return { log, lines: lines as { level: number; msg: string; job?: string }[] };
}

async function setUp({ onTestFinished }: TestContext): Promise<Rig> {
  const r = await rig();
  onTestFinished(() => r.close());
  return r;
}

/** The window only, starting `startInMs` from now, its deadline `deadlineAfterMs` after the start. */
function windowOnly(startInMs: number, deadlineAfterMs = 60_000): Schedule {
  const schedule = rebasedWienRocks(startInMs, (5 * 3_600_000) / deadlineAfterMs);
  return { ...schedule, announcements: [], reminders: [] };
}

/** Posts and pins `count` statuses as the bot, the way an admin fills the pin list by hand. */
async function pinStatuses(sandbox: Sandbox, count: number) {
  for (let i = 0; i < count; i += 1) {
    const call = async (p: string, body?: object) => {
      const response = await fetch(`${sandbox.url}${p}`, {
        method: 'POST',
        headers: { Authorization: 'Bearer sandbox-token', 'Content-Type': 'application/json' },
        body: body ? JSON.stringify(body) : undefined,
      });
      if (response.status !== 200) throw new Error(`POST ${p}: HTTP ${response.status}`);
      return (await response.json()) as { id: string };
    };
    const status = await call('/api/v1/statuses', { status: `Regeln, Teil ${i + 1}` });
    await call(`/api/v1/statuses/${status.id}/pin`);
  }
}

test.concurrent('pin limit: the start toot goes out unpinned; the refusal is logged at error level and shown in herold status', async (context) => {
  const { expect } = context;
  const r = await setUp(context);
  await pinStatuses(r.sandbox, 5);
  const { log, lines } = capturedLog();
  const schedule = windowOnly(300);
  const service = await r.start([schedule], { http: false, replies: false, log });

  const start = await waitFor('start toot', () => withText(r.sandbox, MARK.start)[0], 10_000);
  const report = await waitFor('failure in status', async () => {
    const s = await service.operations.status(schedule.id);
    return s.failures.length > 0 ? s : null;
  }, 10_000);
  expect(report.failures[0]!.message).toMatch(/already has 5 pinned posts.*Unpin one/);
  expect(r.sandbox.status(start.id)!.pinned).toBe(false);
  expect(lines.some((l) => l.level === 50 && /already has 5 pinned posts/.test(l.msg))).toBe(true);
  // The toot itself is posted and recorded; the day goes on.
  expect((await service.store.posted(schedule.id, 'start'))?.statusId).toBe(start.id);
  expect(await waitFor('start job done', async () => (await service.jobs.queue.getJob(`toot.${schedule.id}.start`))?.returnvalue as string | undefined, 5000)).toBe(`posted ${start.id}`);
  await service.operations.taskChange(schedule.id, 'abschaltung', 'done');
  await waitFor('edit', () => r.sandbox.status(start.id)!.text.includes('1 von 9 erledigt'), 10_000);
});

test.concurrent('done, then failed while the instance was down: no "erledigt" reply; the skip and its reason are in herold status', async (context) => {
  const { expect } = context;
  const r = await setUp(context);
  const { log, lines } = capturedLog();
  const schedule = windowOnly(300);
  const service = await r.start([schedule], { http: false, replies: false, log });
  const start = await waitFor('start toot', () => withText(r.sandbox, MARK.start)[0], 10_000);
  await waitFor('start pinned', () => r.sandbox.status(start.id)!.pinned, 5000);

  await r.sandbox.setOutage('html502');
  await service.operations.taskChange(schedule.id, 'upgrade', 'done');
  // The milestone's job has tried and is waiting for the instance.
  await waitFor('milestone tried', () => r.sandbox.requests().some((q) => q.method === 'POST' && q.path === '/api/v1/statuses' && q.outage === 'html502'), 5000);
  await service.operations.taskChange(schedule.id, 'upgrade', 'failed', 'Datenbankmigration abgebrochen');
  await r.sandbox.setOutage('none');

  const skipped = await waitFor('milestone skipped', () => service.store.posted(schedule.id, 'milestone-upgrade'), 15_000);
  expect(skipped.statusId).toBeNull();
  expect(skipped.skipped).toMatch(/"Upgrade auf Mastodon 4.0" is failed now, no longer done/);
  expect(withText(r.sandbox, MARK.milestone)).toHaveLength(0);
  expect(r.sandbox.statuses().filter((s) => s.text.includes('erledigt um'))).toHaveLength(0);
  const report = await service.operations.status(schedule.id);
  expect(report.posted.find((p) => p.tootId === 'milestone-upgrade')?.skipped).toBe(skipped.skipped);
  expect(lines.some((l) => l.level === 40 && /Skipped the milestone of task upgrade: the task/.test(l.msg))).toBe(true);
  // The progress toot shows the failure instead.
  await waitFor('progress shows the failure', () => /⚠️ \S+ Upgrade auf Mastodon 4\.0/.test(r.sandbox.status(start.id)!.text), 10_000).catch((error: Error) => {
    throw new Error(`${error.message}: ${r.sandbox.status(start.id)!.text}`);
  });
});

test.concurrent('a deadline job promoted early waits for its deadline: no back-out before it, one at it', async (context) => {
  const { expect } = context;
  const r = await setUp(context);
  // Room for a loaded machine: the start toot and the promotion must come well before the deadline.
  const schedule = windowOnly(300, 10_000);
  const service = await r.start([schedule], { http: false, replies: false });
  await waitFor('start toot', () => withText(r.sandbox, MARK.start)[0], 10_000);
  const id = jobId({ type: 'deadline', scheduleId: schedule.id, deadline: schedule.window.deadline.toISO()! });
  const job = await waitFor('deadline job', () => service.jobs.queue.getJob(id));
  await job.promote();

  await sleep(1000);
  expect(schedule.window.deadline.toMillis()).toBeGreaterThan(Date.now());
  expect(withText(r.sandbox, MARK.backout)).toHaveLength(0);
  expect((await service.operations.status(schedule.id)).phase).toBe('running');
  expect(await service.jobs.queue.getJobState(id)).toBe('delayed');

  const backout = await waitFor('back-out reply', () => withText(r.sandbox, MARK.backout)[0], 15_000);
  expect(Date.parse(backout.createdAt)).toBeGreaterThanOrEqual(schedule.window.deadline.toMillis());
  expect(withText(r.sandbox, MARK.backout)).toHaveLength(1);
});

test.concurrent('an announcement whose window opened before it ran is skipped with a reason in herold status and the log', async (context) => {
  const { expect } = context;
  const r = await setUp(context);
  const { log, lines } = capturedLog();
  const base = rebasedWienRocks(60_000);
  const schedule: Schedule = { ...base, reminders: [], announcements: [{ ...base.announcements[1]!, at: base.window.start.minus({ milliseconds: 59_000 }) }] };
  // The window opened meanwhile (another replica posted the start while this announcement's job sat in a dead worker).
  const op = await operator(r.config, [schedule]);
  context.onTestFinished(() => op.close());
  expect(await op.store.transition(schedule.id, 'running', ['announced'])).toBe(true);
  const service = await r.start([schedule], { http: false, replies: false, log });

  const skipped = await waitFor('announcement recorded', () => service.store.posted(schedule.id, 'termin'), 10_000);
  expect(skipped.skipped).toMatch(/already started \(running\)/);
  expect((await service.operations.status(schedule.id)).posted.map((p) => [p.tootId, p.skipped])).toEqual([['termin', skipped.skipped]]);
  expect(lines.some((l) => l.level === 40 && /Skipped the announcement termin/.test(l.msg))).toBe(true);
  expect(withText(r.sandbox, MARK.termin)).toHaveLength(0);
});

test.concurrent(`a template that breaks while Herold runs: ${MAX_FAULT_ATTEMPTS} tries, then failed, logged at error level and shown in herold status`, async (context) => {
  const { expect, onTestFinished } = context;
  const r = await setUp(context);
  const dir = mkdtempSync(path.join(tmpdir(), 'herold-templates-'));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  cpSync('templates/de', dir, { recursive: true });
  const { log, lines } = capturedLog();
  const schedule: Schedule = { ...windowOnly(60_000), templateDirs: [dir] };
  const service = await r.start([schedule], { http: false, replies: false, log });
  // Someone edits a template on the running system: the variable does not exist.
  writeFileSync(path.join(dir, 'start.hbs'), 'Es geht los um {{startzeit}}!\n');
  const job = await waitFor('start job', () => service.jobs.queue.getJob(`toot.${schedule.id}.start`));
  await job.updateData({ ...job.data, at: new Date().toISOString() });
  await job.promote();

  const failed = await waitFor('failure in status', async () => {
    const s = await service.operations.status(schedule.id);
    return s.failures.length > 0 ? s.failures : null;
  }, 15_000);
  expect(failed[0]!.tootId).toBe(`toot.${schedule.id}.start`);
  expect(failed[0]!.message).toMatch(new RegExp(`failed ${MAX_FAULT_ATTEMPTS} times for a reason other than the instance.*startzeit`));
  expect(await waitFor('job failed', async () => ((await service.jobs.queue.getJobState(job.id!)) === 'failed' ? 'failed' : null), 5000)).toBe('failed');
  const errors = lines.filter((l) => l.level === 50 && l.job === job.id);
  expect(errors).toHaveLength(MAX_FAULT_ATTEMPTS);
  expect(errors.every((l) => l.msg.includes('startzeit'))).toBe(true);
  expect(r.sandbox.statuses()).toHaveLength(0);
});
