import snowball from 'snowball-stemmers';

/**
 * German Snowball stemming. Input is already folded (ä→ae …); the stemmer
 * then only has to agree with itself, since keywords go through it too.
 * English words pass through the German stemmer as well; that is crude but
 * consistent, and the few English words that clash (lose → los) are mapped
 * to German by synonyms in faq.yaml first.
 */
const german = snowball.newStemmer('german');

// Stemming is the most expensive step and the same words come up again and
// again; the memo is bounded so odd input cannot grow it without limit.
const MEMO_LIMIT = 20_000;
const memo = new Map<string, string>();

export function stem(token: string): string {
  // Numbers and very short tokens have nothing to strip.
  if (token.length <= 3 || /^\d+$/.test(token)) return token;
  let result = memo.get(token);
  if (result === undefined) {
    result = german.stem(token);
    if (memo.size >= MEMO_LIMIT) memo.clear();
    memo.set(token, result);
  }
  return result;
}
