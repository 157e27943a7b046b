import { distance } from 'fastest-levenshtein';

/**
 * The known id closest to a mistyped one, when it is close enough to be what
 * was meant: at most a third of its length apart (at least 1, at most 3
 * edits; two swapped neighbours count as one), or the typed text is the start of exactly one id. Null otherwise.
 */
export function closestId(typed: string, known: readonly string[]): string | null {
  const lower = typed.toLowerCase();
  let best: { id: string; cost: number } | null = null;
  for (const id of known) {
    const cost = oneSwapApart(lower, id.toLowerCase()) ? 1 : distance(lower, id.toLowerCase());
    if (best === null || cost < best.cost) best = { id, cost };
  }
  const allowed = Math.min(3, Math.max(1, Math.floor(typed.length / 3)));
  if (best && best.cost <= allowed) return best.id;
  const prefixed = known.filter((id) => lower.length >= 2 && id.toLowerCase().startsWith(lower));
  return prefixed.length === 1 ? prefixed[0]! : null;
}

/** ` Did you mean "x"?`, or the empty string. */
export function didYouMean(typed: string, known: readonly string[]): string {
  const match = closestId(typed, known);
  return match === null ? '' : ` Did you mean "${match}"?`;
}

/** `tsl` for `tls`: two neighbouring letters swapped, the commonest typo. */
function oneSwapApart(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  const diff = [...a].flatMap((c, i) => (c === b[i] ? [] : [i]));
  return diff.length === 2 && diff[1] === diff[0]! + 1 && a[diff[0]!] === b[diff[1]!] && a[diff[1]!] === b[diff[0]!];
}
