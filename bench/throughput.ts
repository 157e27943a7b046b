/**
 * Toot jobs per second through one Herold worker and through two, each at
 * worker concurrency 1 and at the default 4.
 *
 *   npx tsx bench/throughput.ts [--jobs 2000] [--configs 1x1,1x4,2x1,2x4] [--timeout 60] [--cpu-prof DIR]
 *
 * A config "WxC" is W worker processes (bench/throughput-worker.ts, each a
 * full startHerold service without HTTP, same Redis prefix) with BullMQ
 * concurrency C. The sandbox runs in this process with its rate limit off
 * (`rateLimit: null`); every config gets a fresh sandbox and a fresh Redis
 * prefix, deleted afterwards.
 *
 * This process enqueues `--jobs` one-off announcement toot jobs
 * (tootJob(schedule, 'announcement', 'bench-<i>', 'termin', now), distinct toot
 * ids, 477-character text, one status each) through its own BullJobSink, 64
 * adds in flight, while the workers are already waiting. Measured:
 *   - enqueue:   first add → last add acknowledged by Redis
 *   - to sandbox: first add → the sandbox received the last successful POST /api/v1/statuses
 *   - to Redis:  first add → Herold's posted-record count reached `jobs` (polled every 5 ms)
 * Then it waits a second for stragglers and checks exactly-once: statuses in
 * the sandbox, POSTs per Idempotency-Key, posted records, failed jobs.
 * --cpu-prof DIR writes a V8 CPU profile of each worker process to DIR
 * (open it in Chrome DevTools → Performance, or any .cpuprofile viewer).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { spawn, type ChildProcess } from 'node:child_process';
import { loadavg } from 'node:os';
import { createInterface } from 'node:readline';
import { DateTime } from 'luxon';
import { Redis } from 'ioredis';
import { BullJobSink } from '../src/adapters/bullmq/bullmq-adapter.ts';
import { tootJob } from '../src/core/jobs.ts';
import { startSandbox, type Sandbox } from '../src/sandbox/index.ts';
import { args, benchPrefix, deletePrefix, hiresNow, ms, onSandboxRequest, printTable, REDIS_URL, rebasedSchedule, treeState } from './lib.ts';

const opts = args();
const JOBS = Number(opts.get('jobs') ?? 2000);
const CONFIGS = (opts.get('configs') ?? '1x1,1x4,2x1,2x4').split(',').map((c) => {
  const [w, k] = c.split('x').map(Number);
  if (!w || !k) throw new Error(`--configs: "${c}" is not WORKERSxCONCURRENCY, e.g. 2x4`);
  return { workers: w, concurrency: k };
});
const TIMEOUT_MS = Number(opts.get('timeout') ?? 60) * 1000;
const CPU_PROF = opts.get('cpu-prof');
const IN_FLIGHT = 64;
const POST_PATH = '/api/v1/statuses';

interface Row {
  config: string;
  enqueueMs: number;
  toSandboxMs: number;
  toRedisMs: number;
  statuses: number;
  duplicates: number;
  repeatedPosts: number;
  failedJobs: number;
  complete: boolean;
  workerCpuMs: number;
  parentCpuMs: number;
  load: number;
}

const began = Date.now();
const rows: Row[] = [];
let exitCode = 0;

for (const { workers, concurrency } of CONFIGS) {
  const label = `${workers}x${concurrency}`;
  const prefix = benchPrefix(`tp-${label}`);
  let sandbox: Sandbox | undefined;
  const children: ChildProcess[] = [];
  const workerCpu = new Map<ChildProcess, number>();
  let row: Row | undefined;
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  let sink: BullJobSink | undefined;
  try {
    sandbox = await startSandbox({ rateLimit: null, clock: hiresNow });
    const startAt = Date.now() + 30 * 24 * 3600_000; // planned toots lie in the future and stay delayed
    const schedule = rebasedSchedule(startAt);

    for (let i = 0; i < workers; i += 1) {
      const profile = CPU_PROF ? ['--cpu-prof', '--cpu-prof-dir', CPU_PROF] : [];
      const child = spawn(process.execPath, [...profile, '--import', 'tsx', 'bench/throughput-worker.ts'], {
        env: { ...process.env, BENCH_SANDBOX_URL: sandbox.url, BENCH_PREFIX: prefix, BENCH_START_AT: String(startAt), BENCH_CONCURRENCY: String(concurrency) },
        stdio: ['pipe', 'pipe', 'inherit'],
      });
      children.push(child);
    }
    await Promise.all(
      children.map(
        (child) =>
          new Promise<void>((resolve, reject) => {
            const lines = createInterface({ input: child.stdout! });
            lines.on('line', (line) => {
              const [word, value] = line.split(' ');
              if (word === 'ready') {
                workerCpu.set(child, -Number(value));
                resolve();
              } else if (word === 'cpu') {
                workerCpu.set(child, (workerCpu.get(child) ?? 0) + Number(value));
              }
            });
            child.on('exit', (code) => reject(new Error(`worker exited early with ${code}`)));
            setTimeout(() => reject(new Error('worker did not start within 30 s')), 30_000).unref();
          }),
      ),
    );

    // Every successful POST, by Idempotency-Key, and the time of the last one.
    const postsPerKey = new Map<string, number>();
    let okPosts = 0;
    let lastPostAt = 0;
    const hook = onSandboxRequest(sandbox, (request) => {
      if (request.method !== 'POST' || request.path !== POST_PATH || request.status !== 200) return;
      okPosts += 1;
      lastPostAt = Math.max(lastPostAt, request.at);
      const key = request.idempotencyKey ?? '(none)';
      postsPerKey.set(key, (postsPerKey.get(key) ?? 0) + 1);
    });

    sink = new BullJobSink(redis, prefix);
    const postedKey = `${prefix}:state:${schedule.id}:posted`;
    const load = loadavg()[0]!;
    const cpu0 = process.cpuUsage();
    const t0 = hiresNow();
    for (let i = 0; i < JOBS; i += IN_FLIGHT) {
      const batch = [];
      for (let j = i; j < Math.min(JOBS, i + IN_FLIGHT); j += 1) {
        batch.push(sink.add(tootJob(schedule, 'announcement', `bench-${j}`, 'termin', DateTime.now())));
      }
      await Promise.all(batch);
    }
    const enqueued = hiresNow();

    let recorded = NaN;
    let complete = true;
    for (;;) {
      if ((await redis.hlen(postedKey)) >= JOBS) {
        recorded = hiresNow();
        break;
      }
      if (hiresNow() - t0 > TIMEOUT_MS) {
        complete = false;
        break;
      }
      await sleep(5);
    }
    const cpu1 = process.cpuUsage(cpu0);
    await sleep(1000); // stragglers: a duplicate would show up now
    hook.stop();

    const statuses = sandbox.statuses().filter((s) => !s.deletedAt);
    const benchStatuses = statuses.length;
    const repeatedPosts = [...postsPerKey.values()].reduce((a, n) => a + (n - 1), 0);
    const counts = await sink.queue.getJobCounts('completed', 'failed');
    const failures = await redis.llen(`${prefix}:state:${schedule.id}:failures`);
    const posted = await redis.hlen(postedKey);
    const distinctKeys = postsPerKey.size;
    const duplicates = benchStatuses - posted; // statuses beyond one per recorded toot
    if (!complete || duplicates !== 0 || posted !== JOBS || distinctKeys !== JOBS || counts.failed! > 0 || failures > 0) exitCode = 1;
    row = {
      config: label,
      enqueueMs: enqueued - t0,
      toSandboxMs: lastPostAt - t0,
      toRedisMs: recorded - t0,
      statuses: benchStatuses,
      duplicates,
      repeatedPosts,
      failedJobs: (counts.failed ?? 0) + failures,
      complete,
      workerCpuMs: NaN,
      parentCpuMs: (cpu1.user + cpu1.system) / 1000,
      load,
    };
    if (okPosts !== benchStatuses + repeatedPosts) console.error(`${label}: ${okPosts} POSTs answered 200 but ${benchStatuses} statuses and ${repeatedPosts} repeats`);
  } catch (error) {
    console.error(`${label}:`, error);
    exitCode = 1;
  } finally {
    for (const child of children) child.stdin?.end();
    await Promise.all(
      children.map(
        (child) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null) return resolve();
            const timer = setTimeout(() => {
              child.kill('SIGKILL');
              resolve();
            }, 10_000);
            child.on('exit', () => {
              clearTimeout(timer);
              resolve();
            });
          }),
      ),
    );
    if (row) {
      row.workerCpuMs = [...workerCpu.values()].reduce((a, b) => a + b, 0);
      rows.push(row);
    }
    await sink?.close().catch(() => undefined);
    redis.disconnect();
    await sandbox?.close().catch(() => undefined);
    await deletePrefix(prefix).catch(() => undefined);
  }
}

console.log(`\nthroughput  ${new Date().toISOString()}  node ${process.version}  tree ${treeState()}`);
console.log(`${JOBS} announcement toot jobs per config, sandbox rate limit off`);
console.log('WxC = W worker processes × BullMQ concurrency C; times from the first enqueue (ms)\n');
printTable(
  ['config', 'enqueue', 'jobs/s enq', 'to sandbox', 'to Redis', 'jobs/s', 'statuses', 'dupes', 'repeat POSTs', 'failed', 'worker CPU ms/job', 'parent CPU ms/job', 'load1'],
  rows.map((r) => [
    r.config + (r.complete ? '' : ' (TIMEOUT)'),
    ms(r.enqueueMs, 0),
    ms((JOBS / r.enqueueMs) * 1000, 0),
    ms(r.toSandboxMs, 0),
    ms(r.toRedisMs, 0),
    ms((JOBS / r.toRedisMs) * 1000, 0),
    r.statuses,
    r.duplicates,
    r.repeatedPosts,
    r.failedJobs,
    ms(r.workerCpuMs / JOBS, 2),
    ms(r.parentCpuMs / JOBS, 2),
    r.load.toFixed(1),
  ]),
);
console.log('jobs/s = jobs ÷ "to Redis" (the last toot recorded as posted). dupes = statuses beyond one per toot (must be 0);');
console.log('repeat POSTs = POSTs answered by the Idempotency-Key with the original status (no new status).');
console.log('worker CPU = user+system of all worker processes from ready to shutdown; parent = this process (sandbox + producer)');
console.log('during the measurement; load1 = 1-min load average when the config started (2 cores).');
console.log(`wall time ${((Date.now() - began) / 1000).toFixed(1)} s; Redis keys of every config deleted`);
process.exit(exitCode);
