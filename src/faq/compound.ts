/**
 * Splits German compounds into parts the caller knows: "datenverlust" →
 * daten + verlust, "wartungsarbeiten" → wartung + (s) + arbeiten.
 *
 * `known(part)` returns what a part resolves to, or undefined. The split
 * with the most resolved characters wins; a linking element (s, es, n, en)
 * may sit between parts. At most one part may stay unknown, and only when the
 * known part is long enough to be meaningful on its own ("Umzugsstress").
 */

const LINKS = ['', 's', 'es', 'n', 'en'] as const;
const MIN_PART = 3;
const MIN_KNOWN_ALONE = 5;

export interface CompoundPart<T> {
  readonly text: string;
  readonly value: T | undefined;
}

export function splitCompound<T>(
  word: string,
  known: (part: string) => T | undefined,
): CompoundPart<T>[] | undefined {
  let best: { parts: CompoundPart<T>[]; covered: number } | undefined;

  for (let cut = MIN_PART; cut <= word.length - MIN_PART; cut += 1) {
    const head = word.slice(0, cut);
    const headValue = known(head);
    for (const link of LINKS) {
      if (link !== '' && !word.startsWith(link, cut)) continue;
      const tail = word.slice(cut + link.length);
      if (tail.length < MIN_PART) continue;
      const tailValue = known(tail);
      const parts: CompoundPart<T>[] = [
        { text: head, value: headValue },
        { text: tail, value: tailValue },
      ];
      let covered = 0;
      for (const part of parts) if (part.value !== undefined) covered += part.text.length;
      const unknown = parts.find((part) => part.value === undefined);
      if (covered === 0) continue;
      if (unknown) {
        const knownPart = parts.find((part) => part.value !== undefined);
        if (!knownPart || knownPart.text.length < MIN_KNOWN_ALONE) continue;
      }
      if (!best || covered > best.covered) best = { parts, covered };
    }
  }
  return best?.parts;
}
