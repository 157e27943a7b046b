/**
 * Start-up of whole processes: `node -e 0` against `herold --help`, `herold task` and `herold preview`,
 * each run compiled (dist/, what production runs) and from the TypeScript sources through tsx
 * (HEROLD_FROM_SOURCE=1, what a checkout newer than its build runs). Wall time from spawn to exit, and the
 * child's CPU time (user + system, as /usr/bin/time reports it), which a noisy shared machine disturbs less
 * than wall time.
 *
 *   npm run build && npx tsx bench/startup.ts [--runs 15]
 *
 * `herold task` queues a change for the seed schedule on REDIS_URL under a bench prefix (removed after),
 * with --queue-anyway where the command asks for a running service.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { args, benchPrefix, deletePrefix, ms, printTable, REDIS_URL, SCHEDULE_FILE, summarize, treeState } from './lib.ts';

const RUNS = Number(args().get('runs') ?? 15);
if (!existsSync('dist/cli/main.js')) {
  console.error('dist/ is missing: run `npm run build` first.');
  process.exit(1);
}
const prefix = benchPrefix('startup');
const env = { ...process.env, REDIS_URL, HEROLD_PREFIX: prefix, LOG_LEVEL: 'silent' };

interface Sample {
  readonly wall: number;
  readonly cpu: number;
}

/** One run of `node <argv>` under /usr/bin/time: wall and CPU seconds as the kernel counted them. */
function run(argv: readonly string[], extraEnv: Record<string, string>): Sample {
  const result = spawnSync('/usr/bin/time', ['-f', '%e %U %S', process.execPath, ...argv], {
    env: { ...env, ...extraEnv },
    encoding: 'utf8',
  });
  const line = result.stderr.trim().split('\n').at(-1) ?? '';
  const [wall, user, system] = line.split(' ').map(Number);
  if (result.status !== 0 || wall === undefined || user === undefined || system === undefined) {
    throw new Error(`node ${argv.join(' ')} exited with ${result.status}: ${result.stderr.slice(0, 400)}`);
  }
  return { wall: wall * 1000, cpu: (user + system) * 1000 };
}

const taskArgs = ['task', 'wien-rocks-2023-02-12', 'dns', 'running', '--schedule', SCHEDULE_FILE];
const commands: { label: string; argv: string[] }[] = [
  { label: 'herold --help', argv: ['bin/herold.js', '--help'] },
  { label: 'herold preview <seed>', argv: ['bin/herold.js', 'preview', SCHEDULE_FILE] },
  { label: 'herold task', argv: ['bin/herold.js', ...taskArgs] },
];

// `herold task` may refuse without a running service; --queue-anyway is how an operator goes ahead.
const probe = spawnSync(process.execPath, ['bin/herold.js', ...taskArgs], { env, encoding: 'utf8' });
if (probe.status !== 0 && /--queue-anyway/.test(probe.stderr + probe.stdout)) commands[2]!.argv.push('--queue-anyway');

const rows: (string | number)[][] = [];
const baseline = Array.from({ length: RUNS }, () => run(['-e', '0'], {}));
const base = { wall: summarize(baseline.map((s) => s.wall)).p50, cpu: summarize(baseline.map((s) => s.cpu)).p50 };
rows.push(['node -e 0', '', RUNS, ms(base.wall, 0), ms(base.cpu, 0), '1.0×', '1.0×']);
for (const { label, argv } of commands) {
  for (const [mode, extra] of [
    ['compiled', {}],
    ['tsx', { HEROLD_FROM_SOURCE: '1' }],
  ] as const) {
    const samples = Array.from({ length: RUNS }, () => run(argv, extra));
    const wall = summarize(samples.map((s) => s.wall)).p50;
    const cpu = summarize(samples.map((s) => s.cpu)).p50;
    rows.push([label, mode, RUNS, ms(wall, 0), ms(cpu, 0), `${(wall / base.wall).toFixed(1)}×`, `${(cpu / base.cpu).toFixed(1)}×`]);
  }
}
await deletePrefix(prefix);

console.log(`\nstartup  ${new Date().toISOString()}  node ${process.version}  tree ${treeState()}\n`);
printTable(['command', 'runs as', 'n', 'wall p50 ms', 'cpu p50 ms', 'wall ÷ node -e 0', 'cpu ÷ node -e 0'], rows);
