/**
 * How `herold validate` scales with the number of tasks: builds schedules
 * with N tasks (every tenth a milestone) and times loading plus rendering
 * every toot in every state (checkToots), in-process.
 *
 *   npx tsx bench/validate-tasks.ts [N...]      # default 125 250 500 1000 2000
 *
 * With hundreds of tasks the progress toot is far over 500 characters, so
 * validate reports one problem per progress state; the time to find them is
 * what is measured. Rendering N progress states of N rows each is N² rows of
 * output, so the floor is quadratic in the text produced; the per-row cost
 * is what must stay small.
 */
import { ScheduleError } from '../src/errors.ts';
import { TemplateRenderer } from '../src/render/template-renderer.ts';
import { checkToots } from '../src/render/check-toots.ts';
import { parseSchedule } from '../src/schedule/load-schedule.ts';

const sizes = process.argv.slice(2).map(Number);

function scheduleYaml(tasks: number): string {
  const lines = [
    'id: gross',
    'instance: wien.rocks',
    'timezone: Europe/Vienna',
    'locale: de-AT',
    'window: { start: 2023-02-12T15:00, deadline: 2023-02-12T20:00, expectedDowntime: PT1H }',
    'tasks:',
  ];
  for (let i = 0; i < tasks; i += 1) {
    const at = `2023-02-12T${String(15 + Math.floor((i % 300) / 60)).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}`;
    lines.push(`  - { id: t${i}, title: Aufgabe Nummer ${i}, at: ${at}${i % 10 === 0 ? `, milestone: Schritt ${i} ist geschafft.` : ''} }`);
  }
  return `${lines.join('\n')}\n`;
}

console.log(`node ${process.version}, ${new Date().toISOString()}`);
console.log('tasks | ms    | µs per progress row | problems | RSS MB');
for (const n of sizes.length > 0 ? sizes : [125, 250, 500, 1000, 2000]) {
  const text = scheduleYaml(n);
  const started = process.hrtime.bigint();
  let problems = 0;
  try {
    const schedule = parseSchedule(text, `bench-${n}.yaml`);
    checkToots(schedule, new TemplateRenderer(schedule.templateDirs));
  } catch (error) {
    if (!(error instanceof ScheduleError)) throw error;
    problems = error.problems.length;
  }
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  const rows = n * (n + 1);
  console.log(
    `${String(n).padStart(5)} | ${ms.toFixed(0).padStart(5)} | ${((ms * 1000) / rows).toFixed(2).padStart(19)} | ${String(problems).padStart(8)} | ${(process.memoryUsage().rss / 1e6).toFixed(0)}`,
  );
}
