import { HeroldError } from '../errors.ts';
import { createAnalyzer, findInOrder, type AnalyzedToken } from './analyzer.ts';
import { FALLBACK_ID } from './ids.ts';
import { mentionsDomain, tokenize } from './normalize.ts';
import type { Candidate, FaqEntry, Keyword, Matcher, MatcherOptions, MatchResult } from './types.ts';

/**
 * Keyword scoring with a confidence gate. Each entry scores the sum of the
 * weights of its keywords found in the question; the best entry answers only
 * if it reaches `threshold` and leads the runner-up by `margin`. Otherwise
 * the question falls back to a person: a confident wrong answer is worse
 * than "the admins will reply".
 */

export const DEFAULT_THRESHOLD = 3;
export const DEFAULT_MARGIN = 1.5;
/** A single keyword of at least this weight answers on its own, whatever else the question says ("Fördermitgliedschaft"). */
export const DECISIVE_WEIGHT = 4;
/** Longer input is cut; a question that long is not a quick FAQ question anyway. */
export const MAX_QUESTION_LENGTH = 2000;

interface CompiledKeyword {
  readonly keys: readonly string[];
  readonly weight: number;
}

interface CompiledKeywordHit {
  readonly entry: number;
  readonly keyword: CompiledKeyword;
}

interface CompiledEntry {
  readonly id: string;
  readonly keywords: readonly CompiledKeyword[];
}

/** Whether a keyword's keys occur in the question; single keys are known to be present. */
function occurs(tokens: readonly AnalyzedToken[], keys: readonly string[]): boolean {
  if (keys.length === 1) return true;
  return findInOrder(tokens, keys, (token, key) => token.keys.includes(key)) !== undefined;
}

export function createMatcher(entries: readonly FaqEntry[], options: MatcherOptions = {}): Matcher {
  const threshold = options.threshold ?? DEFAULT_THRESHOLD;
  const margin = options.margin ?? DEFAULT_MARGIN;
  const maxUnknownWords = options.maxUnknownWords ?? Number.POSITIVE_INFINITY;
  const addressees = new Set((options.addressees ?? []).flatMap((word) => tokenize(word)));
  const context = options.context ?? [];

  const seen = new Set<string>();
  for (const entry of entries) {
    if (entry.id === FALLBACK_ID) {
      throw new HeroldError(`The FAQ entry id "${FALLBACK_ID}" is reserved; rename the entry.`);
    }
    if (seen.has(entry.id)) throw new HeroldError(`The FAQ entry id "${entry.id}" appears twice; keep one.`);
    seen.add(entry.id);
  }

  const analyzer = createAnalyzer(
    options.synonyms ?? {},
    [...entries.flatMap((entry) => entry.keywords), ...context].map((keyword) => keyword.text),
    { cacheSize: options.cacheSize },
  );

  function compile(owner: string, keyword: Keyword): CompiledKeyword {
    const keys = analyzer.termKeys(keyword.text);
    if (keys.length === 0) {
      throw new HeroldError(
        `The keyword "${keyword.text}" of ${owner} consists only of stopwords and can never match; ` +
          'use a more specific word.',
      );
    }
    return { keys, weight: keyword.weight };
  }

  // Keywords that normalise to the same words ("lang" and "lange") count
  // once, with the larger weight.
  function compileAll(owner: string, keywords: readonly Keyword[]): CompiledKeyword[] {
    const byKeys = new Map<string, CompiledKeyword>();
    for (const keyword of keywords) {
      const next = compile(owner, keyword);
      const id = next.keys.join(' ');
      const previous = byKeys.get(id);
      if (!previous || next.weight > previous.weight) byKeys.set(id, next);
    }
    return [...byKeys.values()];
  }

  const compiled: CompiledEntry[] = entries.map((entry) => ({
    id: entry.id,
    keywords: compileAll(`FAQ entry "${entry.id}"`, entry.keywords),
  }));
  const compiledContext = compileAll('the FAQ context', context);

  // Keywords by their first key, so a question only looks at keywords that
  // can possibly occur in it. `entry` is an index into `compiled`, or -1
  // for context keywords.
  const byFirstKey = new Map<string, CompiledKeywordHit[]>();
  const index = (entry: number, keyword: CompiledKeyword): void => {
    const first = keyword.keys[0] as string;
    const list = byFirstKey.get(first);
    if (list) list.push({ entry, keyword });
    else byFirstKey.set(first, [{ entry, keyword }]);
  };
  compiled.forEach((entry, position) => {
    for (const keyword of entry.keywords) index(position, keyword);
  });
  for (const keyword of compiledContext) index(-1, keyword);

  function match(question: string): MatchResult {
    const tokens = analyzer.analyze(question.slice(0, MAX_QUESTION_LENGTH));
    const totals = new Array<number>(compiled.length).fill(0);
    const hits = new Array<number>(compiled.length).fill(0);
    let contextScore = 0;
    const seen = new Set<string>();
    for (const token of tokens) {
      for (const key of token.keys) {
        if (seen.has(key)) continue;
        seen.add(key);
        for (const { entry, keyword } of byFirstKey.get(key) ?? []) {
          if (!occurs(tokens, keyword.keys)) continue;
          if (entry < 0) contextScore += keyword.weight;
          else {
            totals[entry] = (totals[entry] as number) + keyword.weight;
            if (keyword.weight > 0) hits[entry] = (hits[entry] as number) + 1;
          }
        }
      }
    }

    const candidates: (Candidate & { readonly hits: number })[] = [];
    compiled.forEach((entry, position) => {
      const total = totals[position] as number;
      // Context words only count for entries that matched on their own.
      if (total > 0) candidates.push({ id: entry.id, score: total + contextScore, hits: hits[position] as number });
    });
    // Stable sort: on equal scores the entry listed first in faq.yaml comes first.
    candidates.sort((a, b) => b.score - a.score);

    const best = candidates[0];
    const runnerUp = candidates[1]?.score ?? 0;
    // A lone keyword below the decisive weight, in a sentence full of words the FAQ does not know, is
    // chit-chat that happens to contain "lange" or "why" ("Wie lange kocht man ein Ei?"): it answers only
    // when the question is addressed to the instance, names the topic, or says little else.
    const anchored =
      best !== undefined &&
      (best.hits >= 2 ||
        best.score >= DECISIVE_WEIGHT ||
        contextScore > 0 ||
        tokens.filter((token) => token.keys.length === 0).length <= maxUnknownWords ||
        tokenize(question).some((word) => addressees.has(word)) ||
        mentionsDomain(question));
    const confident = best !== undefined && anchored && best.score >= threshold && best.score - runnerUp >= margin;
    return {
      id: confident ? best.id : FALLBACK_ID,
      score: best?.score ?? 0,
      candidates: candidates.map(({ id, score }) => ({ id, score })),
    };
  }

  return { match, ids: compiled.map((entry) => entry.id) };
}
