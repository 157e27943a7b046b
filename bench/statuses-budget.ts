/**
 * 300 edits against Mastodon's statuses family (300 posts and edits per
 * account per 3 h): how long the completion toot takes, and what the edits
 * cost. The sandbox runs Mastodon's buckets with every period divided by
 * --scale (default 600: the 3 h window lasts 18 s); Herold budgets with the
 * same scaled buckets.
 *
 * One run: wait for a statuses window to begin, start Herold (start toot),
 * make --changes task changes (default 300; running ↔ failed with a note, so
 * every one changes the progress toot) spread over the window minus 2.5 s,
 * then finish all nine tasks (two milestones, the completion). Reported per
 * run: from the last change to the completion toot arriving; from the start
 * toot to the completion; edits sent in the window, statuses the sandbox
 * counted, the widest gap between two edits (the widened coalescing), 429
 * answers, and the window's end minus the completion (it must be > 0).
 *
 *   npx tsx bench/statuses-budget.ts [--runs 3] [--scale 600] [--changes 300] [--admin-posts 90] [--coalesce 5]
 *
 * Loopback only; one Herold service and the sandbox in this process; Redis
 * keys under a fresh prefix, deleted at the end.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { loadConfig } from '../src/config/config.ts';
import { startHerold, type HeroldService } from '../src/app/herold-service.ts';
import { MASTODON_BUCKETS, scaleBuckets } from '../src/core/rate-budget.ts';
import { startSandbox, type Sandbox } from '../src/sandbox/index.ts';
import { args, benchPrefix, deletePrefix, ms, printTable, REDIS_URL, rebasedSchedule, silentLog, summarize, treeState, waitUntil, WEBHOOK_TOKEN } from './lib.ts';
import { postKey } from '../src/schedule/toot-ids.ts';

const opts = args();
const RUNS = Number(opts.get('runs') ?? 3);
const SCALE = Number(opts.get('scale') ?? 600);
const CHANGES = Number(opts.get('changes') ?? 300);
const COALESCE_MS = Number(opts.get('coalesce') ?? 5);
const ADMIN_POSTS = Number(opts.get('admin-posts') ?? 90);
const WINDOW_MS = (3 * 3_600_000) / SCALE;
const windowEnd = (at: number) => (Math.floor(at / WINDOW_MS) + 1) * WINDOW_MS;

interface Run {
  changes: number;
  lastChangeToComplete: number;
  startToComplete: number;
  edits: number;
  statusesCounted: number;
  widestEditGap: number;
  refused: number;
  marginToReset: number;
}

async function once(n: number): Promise<Run> {
  const prefix = benchPrefix(`statuses-${n}`);
  let sandbox: Sandbox | undefined;
  let service: HeroldService | undefined;
  try {
    await sleep(windowEnd(Date.now()) - Date.now() + 20);
    const windowStart = Date.now();
    const end = windowEnd(windowStart);
    sandbox = await startSandbox({ rateLimit: { scale: SCALE } });
    const config = loadConfig({
      MASTODON_URL: sandbox.url,
      MASTODON_ACCESS_TOKEN: 'sandbox-token',
      REDIS_URL,
      HEROLD_WEBHOOK_TOKEN: WEBHOOK_TOKEN,
      HEROLD_PREFIX: prefix,
      HEROLD_COALESCE_MS: String(COALESCE_MS),
      LOG_LEVEL: 'silent',
    });
    const schedule = { ...rebasedSchedule(Date.now() + 100, `bench-statuses-${n}`), announcements: [], reminders: [] };
    service = await startHerold({ config, schedules: new Map([[schedule.id, schedule]]), log: silentLog, http: false, replies: false, rateBuckets: scaleBuckets(MASTODON_BUCKETS, SCALE) });
    const s = sandbox;
    const start = await waitUntil('start toot', () => s.statuses().find((x) => x.idempotencyKey === postKey(schedule, 'start')), 5000);
    for (let i = 0; i < ADMIN_POSTS; i += 1) {
      const response = await fetch(`${s.url}/api/v1/statuses`, {
        method: 'POST',
        headers: { authorization: 'Bearer sandbox-token', 'content-type': 'application/json' },
        body: JSON.stringify({ status: `Admin-Notiz ${i + 1}`, visibility: 'private' }),
      });
      await response.arrayBuffer();
    }
    const spacing = (end - Date.now() - 2500) / CHANGES;
    const begin = Date.now();
    const first = schedule.tasks[0]!.id;
    const puts = () => s.requests().filter((q) => q.method === 'PUT').length;
    // On a slow machine fewer changes fit: the last 2.5 s of the window are for finishing.
    let made = 0;
    for (let i = 0; i < CHANGES && Date.now() < end - 2500; i += 1, made += 1) {
      const before = puts();
      await service.operations.taskChange(schedule.id, first, (['failed', 'skipped', 'running'] as const)[i % 3]!, `Versuch ${i + 1}`);
      const slot = begin + (i + 1) * spacing;
      while (puts() === before && Date.now() < slot) await sleep(2);
      await sleep(Math.max(0, slot - Date.now()));
    }
    for (const task of schedule.tasks) await service.operations.taskChange(schedule.id, task.id, 'done');
    const lastChange = Date.now();
    const complete = await waitUntil('completion', () => s.statuses().find((x) => x.idempotencyKey === postKey(schedule, 'complete')), WINDOW_MS + 10_000);
    const requests = s.requests();
    const edits = requests.filter((q) => q.method === 'PUT' && q.status === 200 && q.at >= windowStart && q.at < end).map((q) => q.at).sort((a, b) => a - b);
    const gaps = edits.slice(1).map((at, i) => at - edits[i]!);
    const posts = requests.filter((q) => q.method === 'POST' && q.path === '/api/v1/statuses' && q.status === 200 && q.at >= windowStart && q.at < end).length;
    // Edits without a change of text are not counted by Mastodon; the start toot's history shows the counted ones.
    const counted = s.status(start.id)!.history.slice(1).filter((h) => Date.parse(h.createdAt) >= windowStart && Date.parse(h.createdAt) < end).length;
    return {
      changes: made,
      lastChangeToComplete: Date.parse(complete.createdAt) - lastChange,
      startToComplete: Date.parse(complete.createdAt) - Date.parse(start.createdAt),
      edits: edits.length,
      statusesCounted: counted + posts,
      widestEditGap: gaps.length > 0 ? Math.max(...gaps) : 0,
      refused: requests.filter((q) => q.status === 429).length,
      marginToReset: end - Date.parse(complete.createdAt),
    };
  } finally {
    await service?.close().catch(() => undefined);
    await sandbox?.close().catch(() => undefined);
    await deletePrefix(prefix);
  }
}

const began = Date.now();
console.log(`bench/statuses-budget.ts · tree ${treeState()} · scale ${SCALE} (statuses window ${WINDOW_MS} ms) · ${ADMIN_POSTS} admin posts · ${CHANGES} changes · coalesce floor ${COALESCE_MS} ms · ${RUNS} run(s)`);
const runs: Run[] = [];
for (let n = 0; n < RUNS; n += 1) {
  const run = await once(n);
  runs.push(run);
  console.log(
    `run ${n + 1}: ${run.changes} changes · last change → completion ${ms(run.lastChangeToComplete, 0)} ms · start → completion ${ms(run.startToComplete, 0)} ms · ${run.edits} edits, ${run.statusesCounted} statuses in the window · widest edit gap ${ms(run.widestEditGap, 0)} ms · ${run.refused} × 429 · completion ${ms(run.marginToReset, 0)} ms before the reset`,
  );
}
const row = (name: string, values: number[]) => {
  const s = summarize(values);
  return [name, ms(s.min, 0), ms(s.p50, 0), ms(s.max, 0)];
};
printTable(
  ['figure', 'min', 'median', 'max'],
  [
    row('task changes made', runs.map((r) => r.changes)),
    row('last change → completion (ms)', runs.map((r) => r.lastChangeToComplete)),
    row('start toot → completion (ms)', runs.map((r) => r.startToComplete)),
    row('edits sent in the window', runs.map((r) => r.edits)),
    row('statuses counted in the window', runs.map((r) => r.statusesCounted)),
    row('widest gap between edits (ms)', runs.map((r) => r.widestEditGap)),
    row('429 answers', runs.map((r) => r.refused)),
    row('completion before the reset (ms)', runs.map((r) => r.marginToReset)),
  ],
);
console.log(`load average ${(await import('node:os')).loadavg().map((l) => l.toFixed(1)).join(' ')} · ${Math.round((Date.now() - began) / 1000)} s`);
process.exit(runs.every((r) => r.refused === 0 && r.marginToReset > 0) ? 0 : 1);
