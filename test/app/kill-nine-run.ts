/**
 * The kill -9 run, shared by test/app/kill-nine-*.test.ts (which assert
 * what it must) and bench/kill-nine.ts (which prints its figures for
 * BENCHMARKS.md): the wien.rocks day, compressed, posted by worker processes
 * that are killed with SIGKILL at 20 points. Redis runs in its own process
 * with AOF and is restarted in the middle; for a part of the run two worker
 * replicas run at once; once the instance's rate limit is used up by another
 * client, so that Herold meets a 429 and must stay quiet until the reset.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { loadSchedule } from '../../src/schedule/load-schedule.ts';
import type { Schedule } from '../../src/schedule/schedule.ts';
import { startSandbox, type RecordedRequest, type Sandbox } from '../../src/sandbox/index.ts';
import { rebasedWienRocks, testConfig, uniqueId } from '../support/harness.ts';
import { heroldRequests, MARK, operator, requestsWhileBlocked, showsCompletion, spacedBeforeStart, spawnHeldWorker, spendBudget, tempDir, withText, writeSchedule, type Child } from './support.ts';

export interface KillNineOptions {
  /** SIGKILLs in all. Default 20. */
  readonly kills?: number;
  /** After which kill Redis is restarted (SIGTERM, AOF reloaded); null: never. Default 10. */
  readonly redisRestartAfter?: number | null;
  /** Kills during which two workers run at once: [from, to]. Default [6, 13]. */
  readonly twoReplicas?: readonly [number, number];
  /** Before which kill another client uses up the instance's rate-limit window; null: never. Default 16. */
  readonly exhaustBefore?: number | null;
  /** Progress lines go here (the benchmark prints them); default nowhere. */
  readonly say?: (line: string) => void;
}

/** What the run shows: see the fields of the object killNineRun returns. */
export type KillNineReport = Awaited<ReturnType<typeof killNineRun>>;

/**
 * The per-token limit: generous for Herold's own traffic, used up on purpose once. The run waits for a
 * window to begin before using it up, and stays blocked until it ends: a short window keeps both short.
 */
const WINDOW_MS = 5_000;
const LIMIT = 300;

const EXPECTED = { move: 1, termin: 1, reminder: 2, start: 1, milestone: 2, complete: 1 } as const;

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** A redis-server of our own with AOF in a temp dir, restartable on the same port with the same data. */
async function ownRedis() {
  const dir = mkdtempSync(path.join(tmpdir(), 'herold-redis-'));
  const port = await freePort();
  let child: ChildProcess | null = null;
  const start = async () => {
    child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--appendonly', 'yes', '--appendfsync', 'everysec', '--save', '', '--maxmemory-policy', 'noeviction'], { stdio: 'ignore' });
    const probe = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    probe.on('error', () => undefined);
    for (let i = 0; ; i += 1) {
      try {
        await probe.connect();
        // Loading the AOF answers LOADING; wait until it is done.
        if ((await probe.ping()) === 'PONG') break;
      } catch {
        if (i > 200) throw new Error(`redis-server on port ${port} did not come up`);
        await sleep(25);
      } finally {
        probe.disconnect();
      }
    }
  };
  const stop = async () => {
    const running = child;
    if (!running || running.exitCode !== null) return;
    const exited = new Promise((resolve) => running.once('exit', resolve));
    running.kill('SIGTERM');
    await exited;
  };
  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    async restart() {
      await stop();
      await start();
    },
    async close() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The marker kind of a toot id of the wien.rocks schedule. */
function kindOf(tootId: string): keyof typeof EXPECTED | 'other' {
  if (tootId === 'umzug-nach-wien') return 'move';
  if (tootId === 'termin') return 'termin';
  if (tootId.startsWith('ein-tag-vorher@') || tootId.startsWith('eine-stunde-vorher@')) return 'reminder';
  if (tootId === 'start' || tootId === 'complete') return tootId;
  if (tootId.startsWith('milestone-')) return 'milestone';
  return 'other';
}

export async function killNineRun(options: KillNineOptions = {}) {
  const kills = options.kills ?? 20;
  const restartAfter = options.redisRestartAfter === undefined ? 10 : options.redisRestartAfter;
  const [twoFrom, twoTo] = options.twoReplicas ?? [6, 13];
  const exhaustBefore = options.exhaustBefore === undefined ? 16 : options.exhaustBefore;
  const say = options.say ?? (() => undefined);
  const began = Date.now();

  const redis = await ownRedis();
  const sandbox: Sandbox = await startSandbox({ rateLimit: { limit: LIMIT, windowMs: WINDOW_MS } });
  const tmp = tempDir();
  const workers: Child[] = [];
  let workersStarted = 0;
  let redisRestarts = 0;
  const config = testConfig(sandbox, { redisUrl: redis.url, prefix: `{herold-k9-${uniqueId('p')}}` });
  const file = writeSchedule(tmp.dir, spacedBeforeStart(rebasedWienRocks(16_000), 2500));
  const schedule: Schedule = loadSchedule(file);
  const op = await operator(config, [schedule]);
  // A spare process has always loaded Herold already: each new worker is a fresh process, started at once.
  let spare = spawnHeldWorker(config, [file]);
  const spawnOne = () => {
    workersStarted += 1;
    const worker = spare;
    spare = spawnHeldWorker(config, [file]);
    workers.push(worker);
    // Whether it came up is checked where the run waits for "ready".
    worker.start().catch(() => undefined);
  };

  try {
    // Answers come back after 250 ms, so that many kills land between a write taking effect and its answer.
    await sandbox.setOutage('slow', { delayMs: 250 });
    spawnOne();
    await workers[0]!.waitForOutput('ready');

    const writes = () => sandbox.requests().filter((q) => q.method !== 'GET' && q.path.startsWith('/api/v1/statuses') && q.status === 200).length;
    const killedAt: number[] = [];
    for (let k = 1; k <= kills; k += 1) {
      const task = k % 2 === 0 ? schedule.tasks[k / 2 - 1] : undefined;
      if (k === exhaustBefore) {
        // Right after a window began, another client of the account uses it up (quickly: its answers are
        // not held back); the operator's next task change makes Herold meet the 429, and the kill follows.
        await sleep(WINDOW_MS - (Date.now() % WINDOW_MS) + 50);
        await sandbox.setOutage('none');
        await spendBudget(sandbox);
        await sandbox.setOutage('slow', { delayMs: 250 });
        if (task) await op.ops.taskChange(schedule.id, task.id, 'done');
        say(`before kill ${k}: the instance's rate-limit window is used up`);
      }
      if (k % 2 === 1) {
        // Right after a write took effect (its answer is still held back by the instance). The operator says
        // the next task is running, so that a write (an edit, once the progress toot is up) is on its way.
        const seen = sandbox.statuses().length + sandbox.statuses().reduce((n, s) => n + s.history.length, 0);
        const next = schedule.tasks[(k - 1) / 2];
        if (next && k !== exhaustBefore && withText(sandbox, MARK.start).length > 0) await op.ops.taskChange(schedule.id, next.id, 'running');
        const until = Date.now() + 8000;
        while (Date.now() < until && sandbox.statuses().length + sandbox.statuses().reduce((n, s) => n + s.history.length, 0) === seen) await sleep(5);
      } else {
        await sleep(300 + ((k * 397) % 900));
      }
      const victim = workers.shift()!;
      victim.kill('SIGKILL');
      await victim.exited;
      killedAt.push(Date.now());
      say(`kill ${k} at +${Date.now() - began} ms (${writes()} writes so far)`);
      if (k === restartAfter) {
        await redis.restart();
        redisRestarts += 1;
        say(`Redis restarted (AOF) after kill ${k}`);
      }
      spawnOne();
      if (k === twoFrom) spawnOne();
      // The operator reports a task after every second kill, so the day spans the whole run.
      if (task && k !== exhaustBefore) await op.ops.taskChange(schedule.id, task.id, 'done');
      if (k === twoTo) {
        const extra = workers.shift()!;
        extra.kill('SIGTERM');
        await extra.exited;
      }
      await workers.at(-1)!.waitForOutput('ready');
    }
    for (const task of schedule.tasks.slice(Math.floor(kills / 2))) await op.ops.taskChange(schedule.id, task.id, 'done');

    // The day finishes on the last worker.
    const doneBy = Date.now() + 90_000;
    const finished = async () => {
      const start = withText(sandbox, MARK.start)[0];
      return Boolean(start && withText(sandbox, MARK.complete).length > 0 && showsCompletion(sandbox.status(start.id)!.text) && !sandbox.status(start.id)!.pinned);
    };
    while (!(await finished()) && Date.now() < doneBy) await sleep(100);
    // Time for anything late (a duplicate would show up now).
    await sleep(1500);

    const own = sandbox.statuses().filter((s) => s.username === 'b2c');
    const start = withText(sandbox, MARK.start)[0];
    const keys = own.map((s) => s.idempotencyKey ?? '(none)');
    const posted = await op.store.allPosted(schedule.id);
    const statusPosts = sandbox.requests().filter((q) => q.method === 'POST' && q.path === '/api/v1/statuses');
    const requests = heroldRequests(sandbox);
    const firstWriteAfter = (at: number) => requests.find((q) => q.at >= at && q.method !== 'GET' && q.status === 200)?.at;
    return {
      wallMs: Date.now() - began,
      kills,
      redisRestarts,
      workersStarted,
      statuses: Object.entries(EXPECTED).map(([kind, expected]) => ({
        kind,
        // A reminder or announcement whose job a kill delayed past the start is skipped, by design (late-toot-fate.ts).
        expected: expected - posted.filter((p) => p.skipped && kindOf(p.tootId) === kind).length,
        count: withText(sandbox, MARK[kind as keyof typeof EXPECTED]).length,
      })),
      duplicateKeys: keys.filter((k, i) => keys.indexOf(k) !== i),
      threadBroken: [...withText(sandbox, MARK.milestone), ...withText(sandbox, MARK.complete)].filter((s) => s.inReplyToId !== start?.id).length,
      finalProgress: start ? sandbox.status(start.id)!.text : '(no start toot)',
      // Status ids on the instance, and as Herold recorded them.
      created: own.map((s) => s.id).sort(),
      recorded: posted.flatMap((p) => (p.statusId ? [p.statusId] : [])).sort(),
      skipped: posted.flatMap((p) => (p.skipped ? [`${p.tootId}: ${p.skipped}`] : [])),
      failures: (await op.store.failures(schedule.id)).map((f) => `${f.tootId}: ${f.message}`),
      failedJobs: await op.queue.getJobCountByTypes('failed'),
      posts: statusPosts.length,
      lookups: requests.filter((q) => q.method === 'GET' && (/\/statuses\/\d+\/(source|context)$/.test(q.path) || /^\/api\/v1\/accounts\/\d+\/statuses$/.test(q.path))).length,
      // Milliseconds from each kill until the instance saw the next write from Herold.
      recoveryMs: killedAt.flatMap((at) => {
        const next = firstWriteAfter(at);
        return next === undefined ? [] : [next - at];
      }),
      // Herold's requests that reached the instance while it was refusing Herold (should be none).
      requestsWhileBlocked: requestsWhileBlocked(requests),
      refusedWith429: requests.filter((q) => q.status === 429).length,
    };
  } finally {
    for (const w of workers.splice(0)) await w.stop();
    await spare.stop();
    await op.close();
    await sandbox.close();
    await redis.close();
    tmp.cleanup();
  }
}
