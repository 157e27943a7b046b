/**
 * Latency from a task change to the progress toot's edit arriving at the
 * sandbox, through three paths:
 *
 *   cli      `node bin/herold.js task <schedule> datenbank running|done` as a child
 *            process, timed from spawn (includes node + tsx start-up)
 *   webhook  POST /api/schedules/:id/tasks/:taskId with the bearer token
 *   inproc   operations.taskChange(...) called in the worker's own process (the floor)
 *
 *   npx tsx bench/edit-latency.ts [--changes 200] [--cli-changes 100] [--paths webhook,inproc,cli]
 *                                 [--gap 100] [--coalesce 50] [--warmup 5] [--startup-runs 10] [--budget 180]
 *
 * "Arrived" is the sandbox's receipt time of the PUT /api/v1/statuses/:id
 * (RecordedRequest.at, taken before the body is read); the sandbox runs in
 * this process with a sub-millisecond clock, so t0 and arrival share a clock.
 *
 * Herold coalesces edits: a change more than HEROLD_COALESCE_MS after the last
 * edit is edited at once, closer changes are merged. To measure single edits
 * the run uses HEROLD_COALESCE_MS=50 (default 3000) and issues each change
 * `gap` ms (100) after the previous edit arrived (and the previous CLI
 * exited), alternating the task "datenbank" between running and done so
 * every change really changes the text. Every change must yield exactly one
 * edit; the script checks that (edits missing, extra edits, history length).
 *
 * One Herold service (worker + HTTP, in this process) and one sandbox serve
 * all three paths, one after the other (CLI last: at ~1 s per change it is
 * the slow one; with the default 100 CLI changes a run takes 2–3 min, and
 * a path still running when --budget seconds have passed is cut short and
 * marked so). Only loopback traffic; the Redis keys
 * live under a fresh prefix that is deleted at the end.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { spawn } from 'node:child_process';
import type { HeroldService } from '../src/app/herold-service.ts';
import { startSandbox, type Sandbox } from '../src/sandbox/index.ts';
import { args, benchPrefix, finishBench, startBenchService, hiresNow, ms, onSandboxRequest, printTable, REDIS_URL, SCHEDULE_FILE, summarize, treeState, WEBHOOK_TOKEN } from './lib.ts';

const opts = args();
const CHANGES = Number(opts.get('changes') ?? 200);
const CLI_CHANGES = Number(opts.get('cli-changes') ?? 100);
const GAP_MS = Number(opts.get('gap') ?? 100);
const COALESCE_MS = Number(opts.get('coalesce') ?? 50);
const WARMUP = Number(opts.get('warmup') ?? 5);
const STARTUP_RUNS = Number(opts.get('startup-runs') ?? 10);
const BUDGET_MS = Number(opts.get('budget') ?? 180) * 1000;
const PATHS = (opts.get('paths') ?? 'webhook,inproc,cli').split(',').map((p) => p.trim()) as Path[];
const TASK = 'datenbank';
const EDIT_TIMEOUT_MS = 10_000;

type Path = 'cli' | 'webhook' | 'inproc';
type Status = 'running' | 'done';

const began = Date.now();
const prefix = benchPrefix('edit');
const heroldEnv = { REDIS_URL, HEROLD_PREFIX: prefix, HEROLD_COALESCE_MS: String(COALESCE_MS), LOG_LEVEL: 'silent' };

let sandbox: Sandbox | undefined;
let service: HeroldService | undefined;
let exitCode = 0;

try {
  sandbox = await startSandbox({ rateLimit: null, clock: hiresNow });
  // The id of the real file, so the CLI child (which loads that file) and the worker agree.
  const started = await startBenchService(sandbox, { ...heroldEnv, HEROLD_REQUEST_TIMEOUT_MS: '5000' });
  service = started.service;
  const { schedule, start } = started;
  const svc = started.service;
  const sb = sandbox;
  const startId = start.statusId!;
  await sleep(300); // let the skipped announcements/reminders settle

  // Arrival detection: the PUT of the progress toot.
  const putPath = `/api/v1/statuses/${startId}`;
  let waiter: ((at: number) => void) | null = null;
  let puts = 0;
  let extraPuts = 0;
  let failedPuts = 0;
  const hook = onSandboxRequest(sb, (request) => {
    if (request.method !== 'PUT' || request.path !== putPath) return;
    puts += 1;
    if (request.status !== 200) failedPuts += 1;
    if (waiter) {
      const w = waiter;
      waiter = null;
      w(request.at);
    } else {
      extraPuts += 1;
    }
  });

  let current: Status | 'pending' = 'pending';
  const nextStatus = (): Status => (current = current === 'running' ? 'done' : 'running');

  const triggers: Record<Path, (status: Status) => Promise<void>> = {
    cli: (status) =>
      new Promise<void>((resolve, reject) => {
        const child = spawn(process.execPath, ['bin/herold.js', 'task', schedule.id, TASK, status, '--schedule', SCHEDULE_FILE], {
          env: { ...process.env, ...heroldEnv },
          stdio: ['ignore', 'ignore', 'pipe'],
        });
        let stderr = '';
        child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
        child.on('error', reject);
        child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`herold task exited with ${code}: ${stderr.trim()}`))));
      }),
    webhook: async (status) => {
      const response = await fetch(`${svc.httpUrl}/api/schedules/${schedule.id}/tasks/${TASK}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${WEBHOOK_TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify({ status }),
      });
      const text = await response.text();
      if (response.status !== 200) throw new Error(`webhook answered ${response.status}: ${text}`);
    },
    inproc: async (status) => {
      await svc.operations.taskChange(schedule.id, TASK, status);
    },
  };

  /** One change: t0 → edit arrival, and t0 → trigger done (HTTP answer / call returned / CLI exited). */
  async function change(path: Path): Promise<{ latency: number; returned: number } | null> {
    const status = nextStatus();
    let timer: NodeJS.Timeout | undefined;
    const arrival = new Promise<number | null>((resolve) => {
      waiter = resolve;
      timer = setTimeout(() => {
        waiter = null;
        resolve(null);
      }, EDIT_TIMEOUT_MS);
    });
    const t0 = hiresNow();
    let returnedAt = NaN;
    const triggered = triggers[path](status).then(() => (returnedAt = hiresNow()));
    const [at] = await Promise.all([arrival, triggered]);
    clearTimeout(timer);
    await sleep(GAP_MS);
    return at === null ? null : { latency: at - t0, returned: returnedAt - t0 };
  }

  const results: { path: Path; latencies: number[]; returned: number[]; missing: number; cut: boolean }[] = [];
  let changesMade = 0;

  // Process start cost, measured on its own (spawn → exit), right before the CLI path.
  const startup: { label: string; times: number[] }[] = [];
  async function measureStartup(): Promise<void> {
    const timeSpawn = (argv: string[]) =>
      new Promise<number>((resolve, reject) => {
        const t0 = hiresNow();
        const child = spawn(process.execPath, argv, { stdio: 'ignore', env: { ...process.env, ...heroldEnv } });
        child.on('error', reject);
        child.on('exit', (code) => (code === 0 ? resolve(hiresNow() - t0) : reject(new Error(`${argv.join(' ')} exited with ${code}`))));
      });
    // The CLI loads each command's modules lazily, so --help is only node + tsx + commander; the
    // third row adds loading the `task` command's module graph (BullMQ, ioredis, luxon, ...) without running it.
    for (const [label, argv] of [
      ['node -e 0', ['-e', '0']],
      ['node bin/herold.js --help', ['bin/herold.js', '--help']],
      ['tsx + import src/cli/operator.ts', ['--input-type=module', '-e', "import { register } from 'tsx/esm/api'; register(); await import('./src/cli/operator.ts');"]],
    ] as const) {
      const times: number[] = [];
      for (let i = 0; i < STARTUP_RUNS; i += 1) times.push(await timeSpawn([...argv]));
      startup.push({ label, times });
    }
  }

  for (const path of PATHS) {
    if (path === 'cli' && STARTUP_RUNS > 0) await measureStartup();
    const total = path === 'cli' ? CLI_CHANGES : CHANGES;
    const warmup = path === 'cli' ? Math.min(WARMUP, 2) : WARMUP;
    for (let i = 0; i < warmup; i += 1) {
      await change(path);
      changesMade += 1;
    }
    const latencies: number[] = [];
    const returned: number[] = [];
    let missing = 0;
    let cut = false;
    for (let i = 0; i < total; i += 1) {
      if (Date.now() - began > BUDGET_MS) {
        cut = true;
        break;
      }
      const r = await change(path);
      changesMade += 1;
      if (r) {
        latencies.push(r.latency);
        returned.push(r.returned);
      } else {
        missing += 1;
      }
    }
    results.push({ path, latencies, returned, missing, cut });
  }
  await sleep(Math.max(300, COALESCE_MS * 3)); // any late extra edit would show up now
  hook.stop();

  const history = sb.status(startId)!.history.length - 1; // revisions after the original post
  const totalMissing = results.reduce((a, r) => a + r.missing, 0);

  console.log(`\nedit-latency  ${new Date().toISOString()}  node ${process.version}  tree ${treeState()}`);
  console.log(`HEROLD_COALESCE_MS=${COALESCE_MS}, next change ${GAP_MS} ms after the previous edit arrived, arrival detection: ${hook.mode}`);
  console.log('change → PUT /api/v1/statuses/:id received by the sandbox (ms)\n');
  printTable(
    ['path', 'n', 'p50', 'p95', 'p99', 'max', 'mean', 'trigger done p50', 'trigger done p99', 'no edit'],
    results.map((r) => {
      const s = summarize(r.latencies);
      const t = summarize(r.returned);
      return [r.path + (r.cut ? ' (cut: budget)' : ''), s.n, ms(s.p50), ms(s.p95), ms(s.p99), ms(s.max), ms(s.mean), ms(t.p50), ms(t.p99), r.missing];
    }),
  );
  console.log('"trigger done": CLI process exited / HTTP response received / taskChange() returned, from the same t0.');
  if (startup.length > 0) {
    console.log('\nprocess start cost, spawn → exit (ms)\n');
    printTable(
      ['command', 'n', 'p50', 'p95', 'max', 'mean'],
      startup.map(({ label, times }) => {
        const s = summarize(times);
        return [label, s.n, ms(s.p50, 0), ms(s.p95, 0), ms(s.max, 0), ms(s.mean, 0)];
      }),
    );
  }
  const ok = totalMissing === 0 && extraPuts === 0 && failedPuts === 0 && history === changesMade && puts === changesMade;
  console.log(
    `\nchecks: ${changesMade} changes (incl. ${changesMade - results.reduce((a, r) => a + r.latencies.length + r.missing, 0)} warm-up), ${puts} PUTs, ` +
      `${history} edit revisions, ${totalMissing} changes without edit, ${extraPuts} extra PUTs, ${failedPuts} non-200 PUTs → ${ok ? 'OK' : 'MISMATCH'}`,
  );
  console.log(`wall time ${((Date.now() - began) / 1000).toFixed(1)} s`);
  if (!ok) exitCode = 1;
} catch (error) {
  console.error(error);
  exitCode = 1;
}
await finishBench({ service, sandbox, prefix }, exitCode);
