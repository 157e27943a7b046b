/**
 * FAQ matching for Herold: the public surface. Matching is pure; only
 * `loadFaq` touches the file system.
 *
 *   const faq = await loadFaq();                      // templates/de/faq
 *   const matcher = createMatcher(faq.entries, faq.options);
 *   const { id, score } = matcher.match(question);    // id may be 'fallback'
 *   const template = faq.templates.get(id);           // 'fallback' included
 */
export { createClassifier, EXAMPLE_DECISIVE, EXAMPLE_SIMILARITY, MAX_THANKS_WORDS, type Classifier, type NotifyPhrases, type Reading } from './classify.ts';
export { DEFAULT_LANGUAGE, isLanguage, LANGUAGES, type Language } from './language.ts';
export { detectLanguage, ENGLISH_LEAD } from './detect-language.ts';
export { createMatcher, DEFAULT_MARGIN, DEFAULT_THRESHOLD, MAX_QUESTION_LENGTH } from './matcher.ts';
export { answerRenderer, answerTemplates, checkAnswerOverrides, overrideDirs, readOverrides, type AnswerTemplates } from './answer-templates.ts';
export { answersIn, DEFAULT_FAQ_DIR, ENGLISH_FAQ_DIR, EXAMPLES_FILE, FAQ_FILE, loadFaq, parseFaqFile, type FaqTemplate, type LoadedFaq } from './load-faq.ts';
export {
  evaluate,
  formatReport,
  parseQuestionSet,
  type Confusion,
  type EvaluationReport,
  type IdAccuracy,
  type LanguageAccuracy,
  type Evaluated,
  type LabelledQuestion,
} from './evaluate.ts';
export { FALLBACK_ID, NOTIFY_CANCEL_ID, NOTIFY_ID, THANKS_ID, FAQ_IDS, isFaqId, type FaqId } from './ids.ts';
export { normalize, tokenize } from './normalize.ts';
export type { Candidate, FaqEntry, Keyword, Matcher, MatcherOptions, MatchResult } from './types.ts';
