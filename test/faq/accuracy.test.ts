import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, test } from 'vitest';
import { createClassifier, evaluate, FAQ_IDS, formatReport, loadFaq, parseQuestionSet, type Classifier } from '../../src/faq/index.ts';

/**
 * Floors for the matcher's quality, set just below what was measured (see
 * the numbers in the comments). If a change to faq.yaml or the matcher drops
 * below them, look at `herold faq eval` before lowering a floor.
 */
const QUESTIONS = fileURLToPath(new URL('../faq-questions.tsv', import.meta.url));
const HOLDOUT = fileURLToPath(new URL('../faq-holdout.tsv', import.meta.url));
const HELDOUT = fileURLToPath(new URL('../faq-heldout-4.tsv', import.meta.url));

let matcher: Classifier;
beforeAll(async () => {
  matcher = createClassifier(await loadFaq());
});

async function load(file: string) {
  return parseQuestionSet(await readFile(file, 'utf8'), file);
}

describe('labelled question set (used for tuning)', () => {
  test('is large and covers every id', async () => {
    const questions = await load(QUESTIONS);
    expect(questions.length).toBeGreaterThanOrEqual(220);
    for (const id of FAQ_IDS) {
      expect(questions.filter((question) => question.id === id).length, id).toBeGreaterThanOrEqual(15);
    }
    expect(questions.filter((question) => question.id === 'fallback' || question.id === 'thanks').length).toBeGreaterThanOrEqual(40);
    expect(questions.filter((question) => question.language === 'en').length).toBeGreaterThanOrEqual(25);
  });

  test('accuracy and chit-chat fallback stay high', async () => {
    const report = evaluate(matcher, await load(QUESTIONS));
    const summary = formatReport(report);
    // measured: accuracy 0.986 (363/368), chit-chat fallback 1.000, wrong answers 0.000
    expect(report.accuracy, summary).toBeGreaterThanOrEqual(0.97);
    expect(report.fallbackRateOnChitchat, summary).toBeGreaterThanOrEqual(0.97);
    expect(report.wrongAnswerRate, summary).toBeLessThanOrEqual(0.01);
    for (const row of report.perId) expect(row.accuracy, `${row.id}\n${summary}`).toBeGreaterThanOrEqual(0.85);
  });
});

describe('first holdout set (written after the first vocabulary freeze; tuning material since issue 15)', () => {
  test('accuracy stays above a lower floor, and chit-chat still falls back', async () => {
    const questions = await load(HOLDOUT);
    expect(questions.length).toBeGreaterThanOrEqual(60);
    const report = evaluate(matcher, questions);
    const summary = formatReport(report);
    // measured: accuracy 0.986 (70/71) since it is tuning material; 0.831 (59/71) when it was held out
    expect(report.accuracy, summary).toBeGreaterThanOrEqual(0.95);
    expect(report.fallbackRateOnChitchat, summary).toBeGreaterThanOrEqual(0.9);
    expect(report.wrongAnswerRate, summary).toBeLessThanOrEqual(0.05);
  });
});

/** The per-language floors of a question set, set just below what was measured. */
interface LanguageFloors {
  readonly name: string;
  readonly file: string;
  readonly lines: number;
  readonly accuracy: { readonly de: number; readonly en: number };
  readonly chitchatFallback: { readonly de: number; readonly en: number };
  readonly wrongAnswers: number;
  /** A held-out set's failure message shows numbers only: its questions stay unread, or it stops being held out. */
  readonly heldOut: boolean;
}

const PER_LANGUAGE: readonly LanguageFloors[] = [
  {
    // Measured once, with the keywords and examples of 2026-11-29 19:38 (BENCHMARKS.md §4d): de 118/147 (80.3%),
    // en 67/92 (72.8%), chit-chat fallback de 63.6% / en 53.3%, 22 confident wrong answers of 239 (9.2%);
    // keywords alone: de 72.8%, en 64.1%. Below the targets (95% / 90%): see BENCHMARKS.md.
    name: 'fourth held-out set (issue 15; written blind by someone else, measured once, never tuned against)',
    file: HELDOUT, lines: 200, heldOut: true,
    accuracy: { de: 0.79, en: 0.71 }, chitchatFallback: { de: 0.6, en: 0.5 }, wrongAnswers: 0.1,
  },
];

describe.each(PER_LANGUAGE)('$name', (set) => {
  test('per-language accuracy, chit-chat fallback and confident wrong answers stay at their measured level', async () => {
    const questions = await load(set.file);
    expect(questions.length).toBeGreaterThanOrEqual(set.lines);
    const report = evaluate(matcher, questions);
    const message = set.heldOut ? JSON.stringify(report.perLanguage) : formatReport(report);
    for (const language of ['de', 'en'] as const) {
      const row = report.perLanguage.find((r) => r.language === language)!;
      expect(row.accuracy, `${language}: ${message}`).toBeGreaterThanOrEqual(set.accuracy[language]);
      expect(row.fallbackRateOnChitchat, `${language}: ${message}`).toBeGreaterThanOrEqual(set.chitchatFallback[language]);
      expect(row.languageDetected, `${language}: ${message}`).toBeGreaterThanOrEqual(0.95);
    }
    expect(report.wrongAnswerRate, message).toBeLessThanOrEqual(set.wrongAnswers);
  });
});
