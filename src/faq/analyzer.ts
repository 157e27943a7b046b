import { splitCompound } from './compound.ts';
import { standardize } from './dialect.ts';
import { tokenize } from './normalize.ts';
import { stem } from './stem.ts';
import { STOPWORDS } from './stopwords.ts';
import { closestWords, groupByLength } from './typo.ts';

/**
 * Turns text into a sequence of tokens, each resolved to "keys": the stems of
 * the FAQ vocabulary it stands for. Keywords and questions share the first
 * steps (normalise, dialect, stopwords, synonyms, stem); only questions get
 * the fuzzy steps (inflection, compounds, typos), because keywords define
 * the vocabulary that those steps aim at.
 */

/** Synonyms as written in faq.yaml: canonical word → variants. */
export type SynonymTable = Readonly<Record<string, readonly string[]>>;

export interface AnalyzedToken {
  /** The token after normalisation, dialect and synonym replacement. */
  readonly surface: string;
  /** Vocabulary stems this token stands for; empty if it means nothing to the FAQ. */
  readonly keys: readonly string[];
}

export interface Analyzer {
  /** Vocabulary stems of a keyword or phrase, in order (no fuzzy matching). */
  termKeys(text: string): string[];
  /** Tokens of a question with their resolved keys. */
  analyze(text: string): AnalyzedToken[];
}

interface MultiWordSynonym {
  readonly stems: readonly string[];
  readonly replacement: readonly string[];
}

/** Largest number of other tokens allowed inside a multi-word phrase. */
export const MAX_PHRASE_GAP = 2;
/** Stems shorter than this only match exactly (no synonym-by-stem). */
const MIN_FUZZY_STEM = 4;
/** Shortest known stem an inflected word may be cut back to ("weiter" must not become "weit"). */
const MIN_INFLECTION_STEM = 5;
/** Separable and inseparable verb particles that a compound split may leave unknown in front. */
const VERB_PARTICLES = new Set(['ab', 'an', 'auf', 'aus', 'bei', 'durch', 'ein', 'her', 'hin', 'los', 'mit', 'nach', 'vor', 'weg', 'weiter', 'wieder', 'zurueck', 'zusammen', 'fest', 'ueber', 'unter', 'um']);
/** How many letters of inflection ("zieh" + "t") a prefix match may skip. */
const MAX_INFLECTION = 3;

/** Normalised, standardised tokens without stopwords. */
export function prepare(text: string): string[] {
  const out: string[] = [];
  for (const token of tokenize(text)) {
    for (const word of standardize(token)) {
      if (!STOPWORDS.has(word)) out.push(word);
    }
  }
  return out;
}

/**
 * Finds `pattern` in `items` in order, allowing up to MAX_PHRASE_GAP other
 * items in between (in total). Returns the matched positions or undefined.
 */
export function findInOrder<T>(
  items: readonly T[],
  pattern: readonly string[],
  has: (item: T, key: string) => boolean,
): number[] | undefined {
  const first = pattern[0];
  if (first === undefined) return undefined;
  for (let start = 0; start < items.length; start += 1) {
    if (!has(items[start] as T, first)) continue;
    const positions = [start];
    let gaps = 0;
    let at = start;
    for (let k = 1; k < pattern.length && positions.length === k; k += 1) {
      const key = pattern[k] as string;
      for (let next = at + 1; next < items.length && gaps + (next - at - 1) <= MAX_PHRASE_GAP; next += 1) {
        if (has(items[next] as T, key)) {
          gaps += next - at - 1;
          at = next;
          positions.push(next);
          break;
        }
      }
    }
    if (positions.length === pattern.length) return positions;
  }
  return undefined;
}

export function createAnalyzer(
  synonyms: SynonymTable,
  vocabularyTerms: Iterable<string>,
  options: { cacheSize?: number } = {},
): Analyzer {
  const cacheSize = options.cacheSize ?? 5000;

  // Synonyms, keyed by surface and (for longer words) by stem.
  const bySurface = new Map<string, readonly string[]>();
  const byStem = new Map<string, readonly string[]>();
  const multi: MultiWordSynonym[] = [];
  for (const [canonical, variants] of Object.entries(synonyms)) {
    const replacement = prepare(canonical);
    if (replacement.length === 0) continue;
    for (const variant of variants) {
      const words = prepare(variant);
      if (words.length === 1) {
        const word = words[0] as string;
        bySurface.set(word, replacement);
        const wordStem = stem(word);
        if (wordStem.length >= MIN_FUZZY_STEM) byStem.set(wordStem, replacement);
      } else if (words.length > 1) {
        multi.push({ stems: words.map(stem), replacement });
      }
    }
  }
  // Longer phrases first, so the most specific variant wins ("kaffee
  // spendieren" before a shorter phrase that shares a word with it).
  multi.sort((a, b) => b.stems.length - a.stems.length);

  /**
   * Replaces synonym variants by their canonical words. With `byStems`, a
   * single word may also be recognised by its stem ("verlorene" →
   * verlieren); keywords are read without that, since they define the
   * vocabulary the stems are checked against.
   */
  function applySynonyms(words: readonly string[], byStems: boolean): string[] {
    let current = [...words];
    let stems = current.map(stem);
    let present = new Set(stems);
    for (const synonym of multi) {
      if (synonym.stems.length > stems.length || !present.has(synonym.stems[0] as string)) continue;
      const positions = findInOrder(stems, synonym.stems, (item, key) => item === key);
      if (!positions) continue;
      const drop = new Set(positions);
      const next: string[] = [];
      // The replacement takes the place of the last matched word, so words
      // in between keep their order before it ("Account neu anlegen" →
      // "neu registrieren").
      const last = positions[positions.length - 1];
      current.forEach((word, index) => {
        if (index === last) next.push(...synonym.replacement);
        else if (!drop.has(index)) next.push(word);
      });
      current = next;
      stems = current.map(stem);
      present = new Set(stems);
    }
    return current.flatMap(
      (word) => bySurface.get(word) ?? (byStems ? synonymByStem(word) : undefined) ?? [word],
    );
  }

  function termKeys(text: string): string[] {
    return applySynonyms(prepare(text), false).map(stem);
  }

  // The vocabulary: every stem some keyword uses.
  const vocabulary = new Set<string>();
  const keywordWords = [...vocabularyTerms].map((term) => applySynonyms(prepare(term), false));

  // A synonym found by its stem is only taken when the word is not itself
  // vocabulary: "status" stems like the variant "statuses" but is a keyword.
  function synonymByStem(word: string): readonly string[] | undefined {
    const wordStem = stem(word);
    if (wordStem.length < MIN_FUZZY_STEM || vocabulary.has(wordStem)) return undefined;
    return byStem.get(wordStem);
  }

  // Surface forms we can map typos and compound parts to, with their keys.
  const lexicon = new Map<string, readonly string[]>();
  for (const words of keywordWords) {
    for (const word of words) {
      vocabulary.add(stem(word));
      lexicon.set(word, [stem(word)]);
    }
  }
  for (const [variant, replacement] of bySurface) {
    const keys = replacement.map(stem).filter((key) => vocabulary.has(key));
    if (keys.length > 0) lexicon.set(variant, keys);
  }
  for (const [canonical] of Object.entries(synonyms)) {
    for (const word of prepare(canonical)) {
      if (vocabulary.has(stem(word))) lexicon.set(word, [stem(word)]);
    }
  }
  const lexiconByLength = groupByLength(lexicon.keys());

  /** Exact resolution: the word itself, its stem, or a synonym of it. */
  function resolveExact(word: string): readonly string[] | undefined {
    const known = lexicon.get(word);
    if (known) return known;
    const wordStem = stem(word);
    if (vocabulary.has(wordStem)) return [wordStem];
    const synonym = synonymByStem(word);
    if (synonym) {
      const keys = synonym.map(stem).filter((key) => vocabulary.has(key));
      if (keys.length > 0) return keys;
    }
    return undefined;
  }

  /** Inflected form of a known stem: "braucht" → "brauch", "beitraegen" → "beitraeg". */
  function resolveInflection(word: string): readonly string[] | undefined {
    for (let cut = word.length - 1; cut >= MIN_INFLECTION_STEM && word.length - cut <= MAX_INFLECTION; cut -= 1) {
      const prefix = word.slice(0, cut);
      if (vocabulary.has(prefix)) return [prefix];
    }
    return undefined;
  }

  function resolveCompound(word: string): readonly string[] | undefined {
    const parts = splitCompound(word, resolveExact);
    // The last part of a German compound names the kind, the first part which one: with a first part the
    // FAQ does not know, it is another thing of that kind ("Turnverein", "Firmenserver"), not ours. A verb's
    // particle is no such part ("mitverfolgen", "nachschauen").
    if (!parts || (parts[0]?.value === undefined && !VERB_PARTICLES.has(parts[0]!.text))) return undefined;
    const keys = parts.flatMap((part) => part.value ?? []);
    return keys.length > 0 ? [...new Set(keys)] : undefined;
  }

  function resolveTypo(word: string): readonly string[] | undefined {
    const candidates = closestWords(word, lexiconByLength);
    if (candidates.length === 0) return undefined;
    // On a tie between words that mean different things, guessing would
    // turn a typo into a confident wrong answer; better to know nothing.
    const meanings = new Set(candidates.map((candidate) => (lexicon.get(candidate) ?? []).join(' ')));
    if (meanings.size !== 1) return undefined;
    return lexicon.get(candidates[0] as string);
  }

  const cache = new Map<string, readonly string[]>();
  function resolve(word: string): readonly string[] {
    const cached = cache.get(word);
    if (cached) return cached;
    const keys =
      resolveExact(word) ??
      resolveInflection(word) ??
      resolveCompound(word) ??
      resolveTypo(word) ??
      [];
    if (cacheSize > 0) {
      if (cache.size >= cacheSize) cache.clear();
      cache.set(word, keys);
    }
    return keys;
  }

  function analyze(text: string): AnalyzedToken[] {
    return applySynonyms(prepare(text), true).map((surface) => ({ surface, keys: resolve(surface) }));
  }

  return { termKeys, analyze };
}
