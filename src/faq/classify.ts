import { FALLBACK_ID, NOTIFY_CANCEL_ID, NOTIFY_ID, THANKS_ID } from './ids.ts';
import { detectLanguage } from './detect-language.ts';
import type { Language } from './language.ts';
import { createAnalyzer, findInOrder } from './analyzer.ts';
import { createExampleIndex, type Example } from './example-index.ts';
import { tokenize, withoutAddresses } from './normalize.ts';
import { createMatcher, MAX_QUESTION_LENGTH } from './matcher.ts';
import type { FaqEntry, Keyword, Matcher, MatcherOptions, MatchResult } from './types.ts';

/**
 * What Herold makes of a follower's message: the FAQ entry that answers it,
 * `thanks` (a favourite, no answer) or `fallback` (a person answers), and the
 * language to answer in. Pure.
 *
 * Thanks are only considered when no FAQ entry answers, and never for a
 * message that asks something ("Danke! Und wann geht's los?" is a question):
 * a question mistaken for thanks would get a star and no answer, and it would
 * not reach the admins' list either.
 */
export interface Reading extends MatchResult {
  readonly language: Language;
}

export interface Classifier {
  match(text: string): Reading;
  /** The FAQ entry ids (without 'fallback' and 'thanks'). */
  readonly ids: readonly string[];
}

/**
 * An example at least this similar to a question (cosine over stems) answers it when the keywords fall back.
 * Measured on the tuning sets (BENCHMARKS.md): lower values answered chit-chat that shares two words with an
 * example; higher ones left most paraphrases to the fallback.
 */
export const EXAMPLE_SIMILARITY = 0.5;

/**
 * A question this close to an example (the same words, give or take a filler) takes the example's label even
 * against the keywords: an admin who adds a question as an example expects that question to get that answer.
 */
export const EXAMPLE_DECISIVE = 0.85;

/** Longer messages carry more than thanks, even without a question mark. */
export const MAX_THANKS_WORDS = 14;

/**
 * Emoji of thanks, love and good wishes (hearts, folded hands, applause, party, four-leaf clover,
 * crossed fingers, flexed arm, stars): for the thanks check they read as the word "herzlich", which faq.yaml's
 * `thanks` lists. Matching strips emoji otherwise, and "Ihr seid die Besten ❤️" must not lose its heart.
 */
const THANKS_EMOJI = /(?:[\u2764\u2665\u2B50\u2728]|\p{Emoji_Presentation})/gu;
const THANKS_EMOJI_SET = new Set([...'❤♥⭐✨🧡💛💚💙💜🖤🤍🤎💖💗💓💕💞😍🥰😘🙏👏🙌🎉🥳🍀🤞💪🚀🌟🫶']);

function thanksEmojiAsWords(text: string): string {
  return text.replace(THANKS_EMOJI, (emoji) => (THANKS_EMOJI_SET.has(emoji) ? ' herzlich ' : emoji));
}

/** Phrases (word sequences, compared after normalising) that ask to be told, or take that back. */
export interface NotifyPhrases {
  readonly request: readonly string[];
  readonly cancel: readonly string[];
}

export function createClassifier(faq: {
  readonly entries: readonly FaqEntry[];
  readonly options: MatcherOptions;
  readonly thanks: readonly Keyword[];
  readonly notify?: NotifyPhrases;
  /** Questions people asked, labelled with their answer (faq/examples.tsv); none: keywords only. */
  readonly examples?: readonly Example[];
}): Classifier {
  // Phrases word by word, stopwords included ("doch nicht" is all function words), in order with up to
  // two other words in between ("sagt mir bitte Bescheid").
  const phrases = (list: readonly string[] = []) => list.map((phrase) => tokenize(phrase)).filter((words) => words.length > 0);
  const cancel = phrases(faq.notify?.cancel);
  const request = phrases(faq.notify?.request);
  const says = (text: string, list: readonly string[][]) => {
    const words = tokenize(text);
    return list.some((phrase) => findInOrder(words, phrase, (word, key) => word === key) !== undefined);
  };
  const matcher = createMatcher(faq.entries, faq.options);
  const examples = faq.examples ?? [];
  const index =
    examples.length === 0
      ? null
      : createExampleIndex(
          createAnalyzer(faq.options.synonyms ?? {}, [
            ...faq.entries.flatMap((entry) => entry.keywords.map((keyword) => keyword.text)),
            ...(faq.options.context ?? []).map((keyword) => keyword.text),
            ...examples.map((example) => example.question),
          ]),
          examples,
        );
  const answerable = new Set(matcher.ids);

  const thanks: Matcher | null =
    faq.thanks.length === 0
      ? null
      : createMatcher([{ id: THANKS_ID, title: 'Danke', keywords: faq.thanks }], { ...faq.options, context: [] });

  function match(text: string): Reading {
    const language = detectLanguage(text);
    const keywords = matcher.match(text);
    const nearest = index?.nearest(text.slice(0, MAX_QUESTION_LENGTH));
    // An example nearly the same as the text: its label is what the admins want for it, but a question is
    // never starred, however much it looks like thanks.
    if (nearest && nearest.similarity >= EXAMPLE_DECISIVE && !(nearest.id === THANKS_ID && asks(text))) {
      return { ...keywords, id: nearest.id, language };
    }
    // Asking to be told wins over the FAQ words it contains ("… wenn ihr wieder online seid").
    if (says(text, cancel)) return { ...keywords, id: NOTIFY_CANCEL_ID, language };
    if (says(text, request)) return { ...keywords, id: NOTIFY_ID, language };
    if (keywords.id !== FALLBACK_ID) return { ...keywords, language };
    // Words of thanks decide before an example's likeness does ("Toll, weiter so!" is no "Wie weit seid's?").
    if (thanks && !asks(text) && words(text) <= MAX_THANKS_WORDS) {
      const gratitude = thanks.match(thanksEmojiAsWords(text));
      if (gratitude.id === THANKS_ID) return { ...keywords, id: THANKS_ID, score: gratitude.score, language };
    }
    // Where the keywords fall back, a close enough example answers instead.
    if (nearest && nearest.similarity >= EXAMPLE_SIMILARITY && answerable.has(nearest.id)) return { ...keywords, id: nearest.id, language };
    return { ...keywords, language };
  }

  return { match, ids: matcher.ids };
}

/** Whether the text asks something (a question mark outside addresses and links). */
function asks(text: string): boolean {
  return withoutAddresses(text).includes('?');
}

function words(text: string): number {
  return text.split(/\s+/).filter((word) => /[\p{L}\p{N}]/u.test(word)).length;
}
