import { readTextFile } from '../files/read-text-file.ts';
import { DateTime } from 'luxon';
import { HeroldError, ScheduleError } from '../errors.ts';
import { createMatcher, evaluate, formatReport, loadFaq, parseQuestionSet } from '../faq/index.ts';
import { TemplateRenderer } from '../render/template-renderer.ts';
import { tootContext } from '../render/toot-context.ts';
import { loadSchedule } from '../schedule/load-schedule.ts';
import { initialProgress } from '../schedule/progress.ts';

export const DEFAULT_SCHEDULE = 'schedules/wien-rocks-2023-02-12.yaml';
export const DEFAULT_QUESTION_SET = 'test/faq-questions.tsv';

/** `herold faq ask "<question>"`: which entry answers, how sure, and the answer as it would be sent. */
export async function faqAskCommand(question: string, options: { schedule?: string; json?: boolean }, out: (line: string) => void) {
  const schedule = loadSchedule(options.schedule ?? DEFAULT_SCHEDULE);
  const faq = await loadFaq();
  const { id, score } = createMatcher(faq.entries, faq.options).match(question);
  const { text } = new TemplateRenderer(faq.dir).render(id, tootContext(schedule, initialProgress(schedule), DateTime.now().setZone(schedule.timezone)));
  if (options.json) {
    out(JSON.stringify({ id, score, text }));
    return;
  }
  out(`${id} (score ${score.toFixed(2)})`);
  out(text);
}

/** `herold faq eval [FILE]`: accuracy per id, fallback rate on chit-chat, confusions. */
export async function faqEvalCommand(file: string | undefined, options: { minAccuracy?: string }, out: (line: string) => void) {
  const path = file ?? DEFAULT_QUESTION_SET;
  let text: string;
  try {
    text = readTextFile(path, 'question set');
  } catch (error) {
    if (error instanceof ScheduleError) throw error;
    throw new HeroldError(`Cannot read the question set ${path}: ${(error as NodeJS.ErrnoException).code}. Give a TSV file with lines "id<TAB>question".`);
  }
  const faq = await loadFaq();
  const matcher = createMatcher(faq.entries, faq.options);
  const report = evaluate(matcher, parseQuestionSet(text, path, matcher.ids));
  out(formatReport(report));
  const min = options.minAccuracy === undefined ? undefined : Number(options.minAccuracy);
  if (min !== undefined && report.accuracy < min) {
    throw new HeroldError(`Accuracy ${report.accuracy.toFixed(3)} is below --min-accuracy ${min}.`);
  }
}
