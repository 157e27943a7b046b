/**
 * What an operator sees with the default coalescing window (3000 ms): how
 * long until each of a few task changes is visible in the progress toot, and
 * how many edits they cost. Scenarios (each round starts after a quiet spell:
 * more than a window after the last edit *and* after the last time an edit
 * was due):
 *
 *   single          one webhook change (the control: a lone change is edited at once)
 *   webhook:0       two webhook changes, the second sent as soon as the first is answered
 *                   ("datenbank done", then "funktionstests running")
 *   webhook:1000    the same, 1000 ms apart
 *   inproc:0        two operations.taskChange() calls back to back in one process (no HTTP)
 *   pair+3.5s       a webhook:0 pair, then a third change 3.5 s (window + 500 ms) after the
 *                   first edit that showed both (what a reader of the toot sees as the last change)
 *
 *   npx tsx bench/coalesce-burst.ts [--rounds 5] [--coalesce 3000]
 *                                   [--scenarios single,webhook:0,webhook:1000,inproc:0,pair+3.5s]
 *
 * A change counts as visible at the sandbox's receipt of the first
 * PUT /api/v1/statuses/:id whose text shows it (read from the request body:
 * a line naming the task with the running icon). Rounds alternate the tasks
 * between running and done, so every change changes the text.
 *
 * One Herold service (worker + HTTP) and the sandbox run in this process;
 * loopback only; Redis keys under a fresh prefix, deleted at the end.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { HeroldService } from '../src/app/herold-service.ts';
import { statusicon } from '../src/render/helpers.ts';
import { startSandbox, type Sandbox } from '../src/sandbox/index.ts';
import { args, benchPrefix, finishBench, startBenchService, hiresNow, ms, onSandboxRequest, printTable, REDIS_URL, summarize, treeState, waitUntil, WEBHOOK_TOKEN } from './lib.ts';

const opts = args();
const ROUNDS = Number(opts.get('rounds') ?? 5);
const COALESCE_MS = Number(opts.get('coalesce') ?? 3000);
const SCENARIOS = (opts.get('scenarios') ?? 'single,webhook:0,webhook:1000,inproc:0,pair+3.5s').split(',');
const TASKS = ['datenbank', 'funktionstests', 'suchindex'] as const; // none has a milestone toot
const RUNNING_ICON = statusicon('running');

const began = Date.now();
const prefix = benchPrefix('burst');
let sandbox: Sandbox | undefined;
let service: HeroldService | undefined;
let exitCode = 0;

try {
  sandbox = await startSandbox({ rateLimit: null, clock: hiresNow });
  const started = await startBenchService(sandbox, { REDIS_URL, HEROLD_PREFIX: prefix, HEROLD_COALESCE_MS: String(COALESCE_MS) });
  service = started.service;
  const { schedule, start } = started;
  const svc = started.service;
  const putPath = `/api/v1/statuses/${start.statusId}`;
  const title = (id: string) => schedule.tasks.find((t) => t.id === id)!.title;

  // Every edit: when it arrived and which of the tasks it shows as running.
  // `same`: the PUT sent the very text of the PUT before it (an edit nobody can see).
  type Edit = { at: number; running: Set<string>; same: boolean };
  const edits: Edit[] = [];
  let previousText = '';
  const hook = onSandboxRequest(sandbox, (request) => {
    if (request.method !== 'PUT' || request.path !== putPath || request.status !== 200) return;
    const text = String((request.body as { status?: unknown } | null)?.status ?? '');
    const lines = text.split('\n');
    const running = (id: string) => lines.some((line) => line.includes(title(id)) && line.includes(RUNNING_ICON));
    edits.push({ at: request.at, running: new Set(TASKS.filter(running)), same: text === previousText });
    previousText = text;
  });

  const webhook = async (taskId: string, status: string) => {
    const response = await fetch(`${svc.httpUrl}/api/schedules/${schedule.id}/tasks/${taskId}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${WEBHOOK_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ status }),
    });
    if (response.status !== 200) throw new Error(`webhook answered ${response.status}: ${await response.text()}`);
  };
  const inproc = async (taskId: string, status: string) => void (await svc.operations.taskChange(schedule.id, taskId, status));

  // When the round may start: a window (+500 ms) after the last edit and after the last time an edit was due.
  let quietFrom = hiresNow();
  const rows: (string | number)[][] = [];
  let round = 0;
  for (const scenario of SCENARIOS) {
    const visible: number[][] = [[], [], []];
    const editCounts: number[] = [];
    let unchanged = 0;
    let heldBack = 0;
    for (let r = 0; r < ROUNDS; r += 1, round += 1) {
      const status = round % 2 === 0 ? 'running' : 'done';
      const shows = (id: string) => (e: Edit) => e.running.has(id) === (status === 'running');
      const wait = quietFrom + COALESCE_MS + 500 - hiresNow();
      if (wait > 0) await sleep(wait);
      const before = edits.length;
      const sent: number[] = [];
      const send = async (i: number, how: typeof webhook) => {
        sent[i] = hiresNow();
        await how(TASKS[i]!, status);
      };
      const until = async (count: number) =>
        waitUntil('the edits', () => TASKS.slice(0, count).every((id) => edits.slice(before).some(shows(id))), COALESCE_MS * 3 + 5000, 5);

      let changes = 2;
      if (scenario === 'single') {
        changes = 1;
        await send(0, webhook);
      } else if (scenario.startsWith('webhook:')) {
        await send(0, webhook);
        const delta = Number(scenario.slice('webhook:'.length));
        if (delta > 0) await sleep(delta);
        await send(1, webhook);
      } else if (scenario === 'inproc:0') {
        await send(0, inproc);
        await send(1, inproc);
      } else if (scenario === 'pair+3.5s') {
        changes = 3;
        await send(0, webhook);
        await send(1, webhook);
        await until(2);
        // 3.5 s after the last edit the toot shows, the third change.
        await sleep(Math.max(0, edits.at(-1)!.at + COALESCE_MS + 500 - hiresNow()));
        await send(2, webhook);
      } else {
        throw new Error(`unknown scenario ${scenario}`);
      }
      await until(changes);
      const lastSent = Math.max(...sent);
      await sleep(Math.max(0, lastSent + COALESCE_MS + 300 - hiresNow())); // a trailing edit, if any, arrives by now
      const mine = edits.slice(before);
      for (let i = 0; i < changes; i += 1) visible[i]!.push(mine.find(shows(TASKS[i]!))!.at - sent[i]!);
      const judged = scenario === 'pair+3.5s' ? visible[2]!.at(-1)! : visible[0]!.at(-1)!;
      if (scenario !== 'single' && judged > COALESCE_MS / 2) heldBack += 1;
      editCounts.push(mine.length);
      unchanged += mine.filter((e) => e.same).length;
      // The latest an edit can have been due: a window after the last change.
      quietFrom = Math.max(mine.at(-1)!.at, lastSent + COALESCE_MS);
    }
    const col = (i: number) => {
      if (visible[i]!.length === 0) return ['—', '—'];
      const s = summarize(visible[i]!);
      return [ms(s.p50, 0), ms(s.max, 0)];
    };
    rows.push([
      scenario,
      ROUNDS,
      ...col(0),
      ...col(1),
      ...col(2),
      (editCounts.reduce((a, b) => a + b, 0) / editCounts.length).toFixed(1),
      unchanged,
      scenario === 'single' ? '—' : `${heldBack}/${ROUNDS}`,
    ]);
  }
  hook.stop();

  console.log(`\ncoalesce-burst  ${new Date().toISOString()}  node ${process.version}  tree ${treeState()}`);
  console.log(`HEROLD_COALESCE_MS=${COALESCE_MS}; ms from sending each change to the first edit that shows it\n`);
  printTable(['scenario', 'rounds', '1st p50', '1st max', '2nd p50', '2nd max', '3rd p50', '3rd max', 'PUTs/round', 'unchanged PUTs', 'held back'], rows);
  console.log('unchanged PUTs: edits that sent the same text as the edit before (all rounds of the scenario).');
  console.log('held back: rounds in which the 1st change (pair+3.5s: the 3rd) took more than half a window to show.');
  console.log(`wall time ${((Date.now() - began) / 1000).toFixed(1)} s`);
} catch (error) {
  console.error(error);
  exitCode = 1;
}
await finishBench({ service, sandbox, prefix }, exitCode);
