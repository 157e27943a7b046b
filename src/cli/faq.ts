import { readTextFile } from '../files/read-text-file.ts';
import { DateTime } from 'luxon';
import { FileProblemsError, HeroldError } from '../errors.ts';
import { answerRenderer, createClassifier, evaluate, formatReport, loadFaq, parseQuestionSet, NOTIFY_CANCEL_ID, NOTIFY_ID, THANKS_ID } from '../faq/index.ts';
import { tootContext } from '../render/toot-context.ts';
import { loadSchedule } from '../schedule/load-schedule.ts';
import { initialProgress } from '../schedule/progress.ts';

export const DEFAULT_SCHEDULE = 'schedules/wien-rocks-2023-02-12.yaml';
export const DEFAULT_QUESTION_SET = 'test/faq-questions.tsv';

const FAVOURITED: Readonly<Record<string, string>> = {
  [THANKS_ID]: '⭐ (a favourite, no answer)',
  [NOTIFY_ID]: '⭐ (a favourite; one DM when the maintenance completes or backs out)',
  [NOTIFY_CANCEL_ID]: '⭐ (a favourite; the request to be told is taken back)',
};

/** `herold faq ask "<question>"`: which entry answers, how sure, and the answer as it would be sent. */
export async function faqAskCommand(question: string, options: { schedule?: string; json?: boolean }, out: (line: string) => void) {
  const file = loadSchedule(options.schedule ?? DEFAULT_SCHEDULE);
  // While herold run runs, answer as it would now: its schedule and the live progress from Redis.
  const live = await (await import('./live-schedule-state.ts')).liveScheduleState(options.schedule ? file.id : null);
  const schedule = live?.schedule ?? file;
  const progress = live?.progress ?? initialProgress(schedule);
  const faq = await loadFaq();
  const { id, score, language: read } = createClassifier(faq).match(question);
  // The schedule's own answers (<templates.dir>/faq/) over the default ones.
  const { renderer, language } = answerRenderer(faq, schedule.templateDirs, read);
  // Thanks and notify requests get a favourite, not an answer.
  const text =
    id in FAVOURITED
      ? null
      : renderer.render(id, tootContext(schedule, progress, DateTime.now().setZone(schedule.timezone))).text;
  if (options.json) {
    out(JSON.stringify({ id, score, language, text, live: live !== null }));
    return;
  }
  out(`${id} (score ${score.toFixed(2)}, language ${language}, ${live ? `live state of ${schedule.id} from the running herold run` : `${schedule.id} before the window: no herold run is running`})`);
  out(text ?? FAVOURITED[id]!);
}

/** `herold faq eval [FILE]`: accuracy per id and language, fallback rate on chit-chat, confusions; `--json` for scripts. */
export async function faqEvalCommand(file: string | undefined, options: { minAccuracy?: string; json?: boolean }, out: (line: string) => void) {
  const path = file ?? DEFAULT_QUESTION_SET;
  const min = options.minAccuracy === undefined ? undefined : minAccuracy(options.minAccuracy);
  let text: string;
  try {
    text = readTextFile(path, 'question set');
  } catch (error) {
    if (error instanceof FileProblemsError) throw error;
    throw new HeroldError(`Cannot read the question set ${path}: ${(error as NodeJS.ErrnoException).code}. Give a TSV file with lines "id<TAB>question".`);
  }
  const classifier = createClassifier(await loadFaq());
  const report = evaluate(classifier, parseQuestionSet(text, path, classifier.ids));
  out(options.json ? JSON.stringify({ file: path, ...report }) : formatReport(report));
  if (min !== undefined && report.accuracy < min) {
    throw new HeroldError(`Accuracy ${report.accuracy.toFixed(3)} is below --min-accuracy ${min}.`);
  }
}

/** `--min-accuracy` as a share: "0.9", or "90%". Anything else is a typo that would let every run pass. */
function minAccuracy(text: string): number {
  const percent = /^\s*(\d+(?:\.\d+)?)\s*%\s*$/.exec(text);
  const value = percent ? Number(percent[1]) / 100 : text.trim() === '' ? Number.NaN : Number(text);
  if (!Number.isFinite(value) || value < 0 || value > 1) {
    throw new HeroldError(`--min-accuracy "${text}" is not a share between 0 and 1. Write it like 0.9 (or 90%).`);
  }
  return value;
}
