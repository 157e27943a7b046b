import { FaqError, type Problem } from '../errors.ts';
import { FALLBACK_ID, FAQ_IDS, NOTIFY_CANCEL_ID, NOTIFY_ID, THANKS_ID } from './ids.ts';
import { DEFAULT_LANGUAGE, isLanguage, LANGUAGES, type Language } from './language.ts';
import type { Matcher, MatchResult } from './types.ts';

/**
 * Measuring the matcher against hand-labelled questions. Pure: the caller
 * reads the question file and prints the report.
 */

export interface LabelledQuestion {
  /** Expected entry id, or 'fallback' for chit-chat and off-topic lines. */
  readonly id: string;
  readonly question: string;
  /** The language the question is written in; `de` when not given. */
  readonly language?: Language;
  /** 1-based line in the question file, if it came from one. */
  readonly line?: number;
}

export interface IdAccuracy {
  readonly id: string;
  readonly total: number;
  readonly correct: number;
  readonly accuracy: number;
}

export interface Confusion {
  readonly expected: string;
  readonly got: string;
  readonly score: number;
  readonly question: string;
  readonly language?: Language;
  /** The language the classifier read, when it decides one. */
  readonly detected?: Language;
  readonly line?: number;
}

/** Accuracy on the questions of one language, and how often that language was recognised. */
export interface LanguageAccuracy {
  readonly language: Language;
  readonly total: number;
  readonly correct: number;
  readonly accuracy: number;
  /** Share of this language's questions whose language was detected right (1 without a language decision). */
  readonly languageDetected: number;
  readonly fallbackRateOnChitchat: number;
  readonly wrongAnswerRate: number;
}

export interface EvaluationReport {
  readonly total: number;
  readonly correct: number;
  /** Share of all questions (FAQ and fallback lines) that got the expected id. */
  readonly accuracy: number;
  /** Per expected id, in FAQ order, with 'fallback' last. */
  readonly perId: readonly IdAccuracy[];
  /** Share of 'fallback'-labelled lines that did fall back (1 if there are none). */
  readonly fallbackRateOnChitchat: number;
  /**
   * Share of all questions answered with a wrong FAQ entry (not the
   * fallback): the errors users actually see.
   */
  readonly wrongAnswerRate: number;
  /** Every miss, in input order. */
  readonly confusions: readonly Confusion[];
  /** Per language present in the set, in LANGUAGES order. */
  readonly perLanguage: readonly LanguageAccuracy[];
}

/** What evaluate needs: a matcher, optionally one that also decides the language (a Classifier). */
export type Evaluated = Pick<Matcher, 'ids'> & { match(question: string): MatchResult & { readonly language?: Language } };

const ratio = (part: number, whole: number, empty: number): number => (whole === 0 ? empty : part / whole);

interface Tally {
  total: number;
  correct: number;
  detected: number;
  chitchat: number;
  chitchatFallback: number;
  wrong: number;
}

export function evaluate(matcher: Evaluated, labelled: readonly LabelledQuestion[]): EvaluationReport {
  const counts = new Map<string, { total: number; correct: number }>();
  const byLanguage = new Map<Language, Tally>();
  const confusions: Confusion[] = [];
  let correct = 0;
  let wrongAnswers = 0;
  for (const item of labelled) {
    const language = item.language ?? DEFAULT_LANGUAGE;
    const result = matcher.match(item.question);
    const count = counts.get(item.id) ?? { total: 0, correct: 0 };
    const tally = byLanguage.get(language) ?? { total: 0, correct: 0, detected: 0, chitchat: 0, chitchatFallback: 0, wrong: 0 };
    byLanguage.set(language, tally);
    count.total += 1;
    tally.total += 1;
    if ((result.language ?? language) === language) tally.detected += 1;
    if (item.id === FALLBACK_ID) {
      tally.chitchat += 1;
      if (result.id === FALLBACK_ID) tally.chitchatFallback += 1;
    }
    if (result.id === item.id) {
      count.correct += 1;
      tally.correct += 1;
      correct += 1;
    } else {
      // A favourite instead of an answer, or an answer to chit-chat, is as wrong as a wrong entry.
      if (result.id !== FALLBACK_ID) {
        wrongAnswers += 1;
        tally.wrong += 1;
      }
      confusions.push({
        expected: item.id,
        got: result.id,
        score: result.score,
        question: item.question,
        language,
        ...(result.language === undefined ? {} : { detected: result.language }),
        ...(item.line === undefined ? {} : { line: item.line }),
      });
    }
    counts.set(item.id, count);
  }

  const order = [...matcher.ids, FALLBACK_ID];
  const ids = [...counts.keys()].sort((a, b) => {
    const ia = order.indexOf(a);
    const ib = order.indexOf(b);
    return (ia < 0 ? order.length : ia) - (ib < 0 ? order.length : ib) || a.localeCompare(b);
  });
  const perId = ids.map((id) => {
    const { total, correct: hits } = counts.get(id) ?? { total: 0, correct: 0 };
    return { id, total, correct: hits, accuracy: ratio(hits, total, 1) };
  });
  const chitchat = counts.get(FALLBACK_ID);
  const perLanguage = LANGUAGES.filter((language) => byLanguage.has(language)).map((language) => {
    const t = byLanguage.get(language)!;
    return {
      language,
      total: t.total,
      correct: t.correct,
      accuracy: ratio(t.correct, t.total, 1),
      languageDetected: ratio(t.detected, t.total, 1),
      fallbackRateOnChitchat: ratio(t.chitchatFallback, t.chitchat, 1),
      wrongAnswerRate: ratio(t.wrong, t.total, 0),
    };
  });

  return {
    total: labelled.length,
    correct,
    accuracy: ratio(correct, labelled.length, 1),
    perId,
    fallbackRateOnChitchat: ratio(chitchat?.correct ?? 0, chitchat?.total ?? 0, 1),
    wrongAnswerRate: ratio(wrongAnswers, labelled.length, 0),
    confusions,
    perLanguage,
  };
}

/**
 * Parses a question set: one `id<TAB>question` or `id<TAB>language<TAB>question`
 * per line (language `de` or `en`; without it, `de`); blank lines and
 * lines starting with # are ignored. Throws FaqError naming file and
 * line for every malformed line or unknown id.
 */
export function parseQuestionSet(
  tsvText: string,
  file: string,
  knownIds: readonly string[] = FAQ_IDS,
): LabelledQuestion[] {
  const allowed = new Set([...knownIds, FALLBACK_ID, THANKS_ID, NOTIFY_ID, NOTIFY_CANCEL_ID]);
  const questions: LabelledQuestion[] = [];
  const problems: Problem[] = [];
  const lines = tsvText.replace(/^\uFEFF/, '').split(/\r?\n/);
  lines.forEach((raw, index) => {
    const line = index + 1;
    if (raw.trim() === '' || raw.trimStart().startsWith('#')) return;
    const tab = raw.indexOf('\t');
    if (tab < 0) {
      problems.push({
        file,
        line,
        message: 'This line has no tab between id and question.',
        hint: 'Write `id<TAB>question`, with a real tab character.',
      });
      return;
    }
    const id = raw.slice(0, tab).trim();
    let question = raw.slice(tab + 1).trim();
    let language: Language = DEFAULT_LANGUAGE;
    const second = question.indexOf('\t');
    const maybeLanguage = second < 0 ? '' : question.slice(0, second).trim();
    if (isLanguage(maybeLanguage)) {
      language = maybeLanguage;
      question = question.slice(second + 1).trim();
    }
    if (id === '') {
      problems.push({ file, line, column: 1, message: 'The id is empty.', hint: 'Start the line with an FAQ id or "fallback".' });
      return;
    }
    if (!allowed.has(id)) {
      problems.push({
        file,
        line,
        column: 1,
        message: `"${id}" is not an FAQ id.`,
        hint: `Use one of: ${[...allowed].join(', ')}.`,
      });
      return;
    }
    if (question === '') {
      problems.push({ file, line, column: tab + 2, message: 'The question is empty.', hint: 'Write the question after the tab.' });
      return;
    }
    questions.push({ id, question, language, line });
  });
  if (problems.length > 0) throw new FaqError(problems);
  return questions;
}

const percent = (value: number): string => `${(value * 100).toFixed(1)}%`;

/** A plain-text report for the terminal. */
export function formatReport(report: EvaluationReport, options: { maxConfusions?: number } = {}): string {
  const maxConfusions = options.maxConfusions ?? 50;
  const out: string[] = [];
  out.push(`FAQ evaluation: ${report.correct}/${report.total} correct (${percent(report.accuracy)})`);
  out.push(`Fallback rate on chit-chat: ${percent(report.fallbackRateOnChitchat)}`);
  out.push(`Wrong answers (confident but wrong): ${percent(report.wrongAnswerRate)}`);
  if (report.perLanguage.length > 0) {
    out.push('');
    out.push('language  correct  accuracy  language recognised  chit-chat fallback  wrong answers');
    for (const row of report.perLanguage) {
      out.push(
        `${row.language.padEnd(8)}  ${`${row.correct}/${row.total}`.padStart(7)}  ${percent(row.accuracy).padStart(8)}  ${percent(row.languageDetected).padStart(19)}  ${percent(row.fallbackRateOnChitchat).padStart(18)}  ${percent(row.wrongAnswerRate).padStart(13)}`,
      );
    }
  }
  out.push('');
  const width = Math.max(8, ...report.perId.map((row) => row.id.length));
  out.push(`${'id'.padEnd(width)}  correct  accuracy`);
  for (const row of report.perId) {
    out.push(`${row.id.padEnd(width)}  ${`${row.correct}/${row.total}`.padStart(7)}  ${percent(row.accuracy).padStart(8)}`);
  }
  if (report.confusions.length > 0) {
    out.push('');
    out.push(`Misses (${report.confusions.length}):`);
    for (const miss of report.confusions.slice(0, maxConfusions)) {
      const where = miss.line === undefined ? '' : `line ${miss.line}: `;
      const language = miss.language === undefined ? '' : ` [${miss.language}${miss.detected && miss.detected !== miss.language ? `, read as ${miss.detected}` : ''}]`;
      out.push(`  ${where}expected ${miss.expected}, got ${miss.got} (score ${miss.score})${language}: ${miss.question}`);
    }
    if (report.confusions.length > maxConfusions) {
      out.push(`  … and ${report.confusions.length - maxConfusions} more`);
    }
  }
  return out.join('\n');
}
