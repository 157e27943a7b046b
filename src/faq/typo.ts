import { distance } from 'fastest-levenshtein';

/**
 * Typo tolerance: the closest known word by edit distance, if it is close
 * enough for the words' length. Short words get no tolerance at all, because
 * "wann"/"dann" or "los"/"bis" are different words, not typos. Five letters
 * only forgive swapped neighbours ("lnage"): one inserted or changed letter
 * too often makes another real word ("sehen"/"stehen").
 */

/** What a pair of words may differ by, judged by the shorter one. */
export type Tolerance = 'none' | 'swap' | 1 | 2;

export function tolerance(shorterLength: number): Tolerance {
  if (shorterLength >= 9) return 2;
  if (shorterLength >= 6) return 1;
  if (shorterLength === 5) return 'swap';
  return 'none';
}

/**
 * Levenshtein distance, except that one swap of neighbouring letters
 * ("lnage", "Versoin") costs 1 like any other single slip of the finger.
 */
export function typoDistance(a: string, b: string): number {
  const d = distance(a, b);
  if (d !== 2 || a.length !== b.length) return d;
  let first = -1;
  for (let i = 0; i < a.length; i += 1) {
    if (a[i] === b[i]) continue;
    if (first >= 0) return i === first + 1 && a[first] === b[i] && a[i] === b[first] ? 1 : d;
    first = i;
  }
  return d;
}

/** The distance between two words if it counts as a typo, otherwise undefined. */
export function typoBetween(a: string, b: string): number | undefined {
  const allowed = tolerance(Math.min(a.length, b.length));
  if (allowed === 'none' || Math.abs(a.length - b.length) > (allowed === 'swap' ? 0 : allowed)) return undefined;
  const d = typoDistance(a, b);
  if (d === 0) return undefined;
  if (allowed === 'swap') return d === 1 && distance(a, b) === 2 ? 1 : undefined;
  return d <= allowed ? d : undefined;
}

/**
 * Returns the known words at the smallest typo distance from `token`
 * (several on a tie), or an empty array. `known` is grouped by length (see
 * `groupByLength`) so that only plausible candidates are compared.
 */
export function closestWords(token: string, known: ReadonlyMap<number, readonly string[]>): string[] {
  let best = Number.POSITIVE_INFINITY;
  let found: string[] = [];
  for (let length = token.length - 2; length <= token.length + 2; length += 1) {
    for (const word of known.get(length) ?? []) {
      const d = typoBetween(token, word);
      if (d === undefined || d > best) continue;
      if (d < best) {
        best = d;
        found = [word];
      } else {
        found.push(word);
      }
    }
  }
  return found;
}

export function groupByLength(words: Iterable<string>): Map<number, string[]> {
  const groups = new Map<number, string[]>();
  for (const word of words) {
    const group = groups.get(word.length);
    if (group) group.push(word);
    else groups.set(word.length, [word]);
  }
  return groups;
}
