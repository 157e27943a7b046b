/**
 * The kill -9 run (test/app/kill-nine-run.ts) with its figures: the
 * wien.rocks day posted by worker processes that are SIGKILLed at 20 points,
 * with a Redis restart (AOF) after the 10th kill, two worker replicas from the
 * 6th to the 13th kill, and the instance's rate-limit window used up by
 * another client before the 16th. Starts its own redis-server (AOF, temp
 * dir, free port) and an in-process sandbox; REDIS_URL is not used.
 *
 *   npx tsx bench/kill-nine.ts [--runs 1] [--kills 20] [--quiet]
 */
import { loadavg } from 'node:os';
import { args, ms, printTable, summarize, treeState } from './lib.ts';
import { killNineRun } from '../test/app/kill-nine-run.ts';

const opts = args();
const runs = Number(opts.get('runs') ?? 1);
const kills = Number(opts.get('kills') ?? 20);
console.log(`tree ${treeState()}; ${runs} run(s) of ${kills} kills; load ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
const rows: (string | number)[][] = [];
for (let run = 1; run <= runs; run += 1) {
  const report = await killNineRun({ kills, say: opts.has('quiet') ? undefined : (line) => console.log(`  ${line}`) });
  const recovery = summarize(report.recoveryMs);
  const wrong = report.statuses.filter((s) => s.count !== s.expected).map((s) => `${s.kind} ${s.count}/${s.expected}`);
  rows.push([
    run,
    ms(report.wallMs / 1000),
    report.kills,
    report.workersStarted,
    report.redisRestarts,
    report.created.length,
    report.posts,
    report.lookups,
    wrong.length === 0 && report.duplicateKeys.length === 0 ? 0 : `${report.duplicateKeys.length} (${wrong.join(', ')})`,
    report.recorded.length === report.created.length ? 'all' : `${report.recorded.length}/${report.created.length}`,
    report.skipped.length,
    report.refusedWith429,
    report.requestsWhileBlocked.length,
    ms(recovery.p50 / 1000),
    ms(recovery.max / 1000),
    loadavg()[0]!.toFixed(1),
  ]);
  if (report.skipped.length + report.failures.length > 0) console.log(`  run ${run}: skipped ${JSON.stringify(report.skipped)} failures ${JSON.stringify(report.failures)}`);
}
printTable(
  ['run', 'wall s', 'kills', 'workers started', 'Redis restarts', 'statuses', 'POSTs', 'lookup GETs', 'duplicates', 'recorded', 'skipped (late)', '429s', 'requests while blocked', 'kill → next write p50 s', 'max s', 'load 1m'],
  rows,
);
