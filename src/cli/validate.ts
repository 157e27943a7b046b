import { TemplateRenderer } from '../render/template-renderer.ts';
import { checkToots } from '../render/check-toots.ts';
import { loadSchedule } from '../schedule/load-schedule.ts';
import { checkAnswerOverrides } from '../faq/answer-templates.ts';
import { formatProblem } from '../errors.ts';

/** `herold validate <file>`: loads the schedule, renders every toot it can produce and checks it. */
export function validateCommand(file: string, out: (line: string) => void): void {
  const schedule = loadSchedule(file);
  const ownAnswers = checkAnswerOverrides(schedule);
  const check = checkToots(schedule, new TemplateRenderer(schedule.templateDirs));
  const { start, deadline } = schedule.window;
  const milestones = schedule.tasks.filter((t) => t.milestone !== null).length;
  out(`✔ ${file} is valid.`);
  out(
    `  ${schedule.id} on ${schedule.instance}: ${start.setLocale(schedule.locale).toFormat("cccc, d. LLLL yyyy, HH:mm 'Uhr'")} (${schedule.timezone}), back-out at ${deadline.setLocale(schedule.locale).toFormat(deadline.hasSame(start, 'day') ? 'HH:mm' : "cccc, d. LLLL, HH:mm")}.`,
  );
  out(
    `  ${schedule.announcements.length} announcements, ${schedule.reminders.length} reminders, ${schedule.tasks.length} tasks (${milestones} milestones).`,
  );
  const checked = schedule.tasks.filter((t) => t.check);
  if (checked.length > 0) {
    out(`  ${checked.length} task checks: ${checked.map((t) => `${t.id} (${t.check!.kind}, ${t.check!.confirm})`).join(', ')}.`);
  }
  const own = Object.entries(ownAnswers).filter(([, ids]) => ids.length > 0);
  if (own.length > 0) out(`  FAQ answers of its own: ${own.map(([language, ids]) => `${ids.join(', ')} (${language})`).join('; ')}.`);
  for (const warning of schedule.warnings) out(`⚠ ${formatProblem(warning)}`);
  out(
    `  ${check.toots.length} toots rendered; the longest is ${check.longest.name} with ${check.longest.length} of ${check.limit} characters.`,
  );
}
