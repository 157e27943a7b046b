import type { SynonymTable } from './analyzer.ts';

/** A word or phrase that points to an FAQ entry, with how strongly it does. */
export interface Keyword {
  /** One word or a phrase; a phrase matches its words in order, with up to two other words in between. */
  readonly text: string;
  /**
   * Points added to the entry's score when the keyword occurs in a question.
   * Negative weights speak against the entry ("wieder" for the start date).
   */
  readonly weight: number;
}

export interface FaqEntry {
  /** Stable id; the answer template is `<id>.hbs`. */
  readonly id: string;
  /** German question for display, e.g. in lists or the status page. */
  readonly title: string;
  readonly keywords: readonly Keyword[];
}

export interface MatcherOptions {
  /** Minimum score for a confident answer. Default: 3. */
  readonly threshold?: number;
  /** How far the best entry must lead the runner-up. Default: 1.5. */
  readonly margin?: number;
  /** Canonical word → variants, applied to keywords and questions alike. Default: none. */
  readonly synonyms?: SynonymTable;
  /**
   * Topic words ("Umzug", "Wartung") that add their weight to every entry
   * that already matched something on its own. Default: none.
   */
  readonly context?: readonly Keyword[];
  /**
   * A question whose best entry rests on one keyword below weight 4 answers only if it has at most this
   * many words the FAQ does not know, or names the topic (a context word), or is addressed to the
   * instance (an `addressees` word or a domain). Default: no limit.
   */
  readonly maxUnknownWords?: number;
  /** Words that address the instance or its admins ("ihr", "euch", "you", "Instanz"), see maxUnknownWords. */
  readonly addressees?: readonly string[];
  /** How many resolved words to remember between questions; 0 disables the cache. Default: 5000. */
  readonly cacheSize?: number;
}

export interface Candidate {
  readonly id: string;
  readonly score: number;
}

export interface MatchResult {
  /** The chosen entry id, or 'fallback' when no entry is confidently best. */
  readonly id: string;
  /** Score of the best candidate (0 if nothing matched), also when falling back. */
  readonly score: number;
  /** Entries with a score above 0, best first. */
  readonly candidates: readonly Candidate[];
}

export interface Matcher {
  match(question: string): MatchResult;
  /** The entry ids this matcher can answer with (without 'fallback'). */
  readonly ids: readonly string[];
}
