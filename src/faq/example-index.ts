import type { Analyzer } from './analyzer.ts';
import { stem } from './stem.ts';

/**
 * Answering like an earlier question: the FAQ's `examples.tsv` holds
 * questions people really asked, each labelled with the answer it got. A
 * new question that the keywords cannot place is compared with them (TF-IDF
 * over the analyzer's stems, cosine similarity) and takes the label of the
 * closest one when it is close enough. The admins teach Herold a paraphrase
 * by adding the question that fell back as an example. Pure.
 */

/** A labelled question as the index needs it. */
export interface Example {
  readonly id: string;
  readonly question: string;
}

export interface NearestExample {
  readonly id: string;
  /** Cosine similarity to the question, 0 to 1. */
  readonly similarity: number;
  readonly question: string;
}

export interface ExampleIndex {
  /** The closest example, or undefined when no example shares a word with the question. */
  nearest(question: string): NearestExample | undefined;
  readonly size: number;
}

interface Vector {
  readonly weights: ReadonlyMap<string, number>;
  readonly norm: number;
}

/** The words of a text as the index compares them: vocabulary keys where known, the word's stem otherwise. */
function features(analyzer: Analyzer, text: string): Set<string> {
  const out = new Set<string>();
  for (const token of analyzer.analyze(text)) {
    if (token.keys.length > 0) for (const key of token.keys) out.add(key);
    else if (token.surface.length > 1) out.add(stem(token.surface));
  }
  return out;
}

export function createExampleIndex(analyzer: Analyzer, examples: readonly Example[]): ExampleIndex {
  const analyzed = examples.map((example) => ({ example, words: features(analyzer, example.question) }));
  const documentFrequency = new Map<string, number>();
  for (const { words } of analyzed) {
    for (const word of words) documentFrequency.set(word, (documentFrequency.get(word) ?? 0) + 1);
  }
  // Smoothed inverse document frequency: a word no example has weighs most, but matches nothing.
  const total = analyzed.length;
  const idf = (word: string): number => Math.log((total + 1) / ((documentFrequency.get(word) ?? 0) + 1)) + 1;
  const vector = (words: ReadonlySet<string>): Vector => {
    const weights = new Map<string, number>();
    let sum = 0;
    for (const word of words) {
      const weight = idf(word);
      weights.set(word, weight);
      sum += weight * weight;
    }
    return { weights, norm: Math.sqrt(sum) };
  };
  const vectors = analyzed.map(({ example, words }) => ({ example, vector: vector(words) }));
  // Examples by word, so a question is only compared with examples that share a word with it.
  const byWord = new Map<string, number[]>();
  vectors.forEach(({ vector: { weights } }, position) => {
    for (const word of weights.keys()) {
      const list = byWord.get(word);
      if (list) list.push(position);
      else byWord.set(word, [position]);
    }
  });

  function nearest(question: string): NearestExample | undefined {
    const asked = vector(features(analyzer, question));
    if (asked.norm === 0) return undefined;
    const dot = new Map<number, number>();
    for (const [word, weight] of asked.weights) {
      for (const position of byWord.get(word) ?? []) {
        const other = vectors[position]!.vector.weights.get(word)!;
        dot.set(position, (dot.get(position) ?? 0) + weight * other);
      }
    }
    let best: (NearestExample & { readonly position: number }) | undefined;
    for (const [position, product] of dot) {
      const { example, vector: other } = vectors[position]!;
      const similarity = product / (asked.norm * other.norm);
      // Ties go to the example listed first.
      if (!best || similarity > best.similarity || (similarity === best.similarity && position < best.position)) {
        best = { id: example.id, similarity, question: example.question, position };
      }
    }
    return best && { id: best.id, similarity: best.similarity, question: best.question };
  }

  return { nearest, size: vectors.length };
}
