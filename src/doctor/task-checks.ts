import type { CheckRoute } from '../checks/check-route.ts';
import { checkTarget, probe } from '../checks/probe.ts';
import type { Schedule } from '../schedule/schedule.ts';
import { ok, warn, type CheckResult } from './check.ts';

/**
 * Runs each task check of a schedule once and says what it would report
 * today. Before the day that is the old state, so a check that already
 * passes cannot tell old from new: a warning. `route` as in the worker
 * (checks of real hosts do not run while Herold talks to a local Mastodon).
 */
export async function taskChecks(schedule: Schedule, route: CheckRoute | undefined, now = schedule.window.start.minus(1)): Promise<CheckResult[]> {
  const checked = schedule.tasks.filter((t) => t.check);
  if (checked.length === 0) return [];
  const runnable = checked.map((task) => ({ task, spec: route ? route(schedule, task, task.check!) : task.check! }));
  const skipped = runnable.filter((r) => r.spec === null);
  const results: CheckResult[] = [];
  if (skipped.length > 0) {
    results.push(ok(`task-checks ${schedule.id}`, `${skipped.length} of ${checked.length} task checks not run (${skipped.map((s) => s.task.id).join(', ')}): Herold talks to a Mastodon on this machine, and they would look at real hosts.`));
  }
  const before = now < schedule.window.start;
  await Promise.all(
    runnable.map(async ({ task, spec }) => {
      if (!spec) return;
      const result = await probe(spec);
      const name = `task-check ${task.id}`;
      const what = `${checkTarget(spec)}: ${result.summary}`;
      if (result.ok && before) {
        results.push(warn(name, `${what}; passes already, before the window.`, 'Make the check tell the new state from the old one (a newer version, the new address, issuedAfter: window.start), or it would mark the task at once.'));
      } else {
        results.push(ok(name, `${what}; ${result.ok ? 'passes' : before ? 'does not pass yet (the old state)' : 'does not pass'}.`));
      }
    }),
  );
  return results.sort((a, b) => a.check.localeCompare(b.check));
}
