import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { describeProblem, HeroldError } from '../errors.ts';
import { checkAnswerOverrides } from '../faq/answer-templates.ts';
import { TemplateRenderer } from '../render/template-renderer.ts';
import { checkToots } from '../render/check-toots.ts';
import { loadSchedule } from '../schedule/load-schedule.ts';
import { DEFAULT_SCHEDULES_DIR } from '../schedule/load-schedules.ts';
import type { Schedule } from '../schedule/schedule.ts';
import { fail, ok, type CheckResult } from './check.ts';

/** The files `herold run` would load: the given ones, or every *.yaml in schedules/. */
export function scheduleFiles(files: readonly string[], dir = DEFAULT_SCHEDULES_DIR): string[] {
  if (files.length > 0) return [...files];
  try {
    return readdirSync(dir)
      .filter((n) => /\.ya?ml$/.test(n))
      .map((n) => path.join(dir, n))
      .filter((f) => statSync(f).isFile());
  } catch {
    throw new HeroldError(`There is no schedules directory at ${path.resolve(dir)}. Pass schedule files, or run from the project directory.`);
  }
}

/** Each file loads, its templates (and FAQ answers of its own) parse and render, and every toot fits its own maxCharacters (what `herold validate` checks). */
export function scheduleCheck(file: string): { result: CheckResult; schedule: Schedule | null } {
  const name = `schedule ${path.basename(file)}`;
  try {
    const schedule = loadSchedule(file);
    checkAnswerOverrides(schedule);
    const check = checkToots(schedule, new TemplateRenderer(schedule.templateDirs));
    const start = schedule.window.start.setLocale(schedule.locale).toFormat("d. LLLL yyyy, HH:mm 'Uhr'");
    return { result: ok(name, `${schedule.id}: valid, starts ${start} (${schedule.timezone}), ${schedule.tasks.length} tasks, ${check.toots.length} toots.`), schedule };
  } catch (error) {
    return { result: fail(name, describeProblem(error), `Run herold validate ${file} for every problem.`), schedule: null };
  }
}

/** The longest toot the schedule can produce against the instance's real limit. */
export function tootLengthCheck(schedule: Schedule, limit: number): CheckResult {
  const name = `toot-length ${schedule.id}`;
  try {
    const { longest } = checkToots(schedule, new TemplateRenderer(schedule.templateDirs), limit);
    return ok(name, `The longest toot (${longest.name}) has ${longest.length} of the instance's ${limit} characters.`);
  } catch (error) {
    return fail(name, describeProblem(error), 'Shorten the template or the task titles; the instance limit wins over maxCharacters in the schedule.');
  }
}
