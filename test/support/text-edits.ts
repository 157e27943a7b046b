/** `text` with `from` (which must occur exactly once) replaced by `to`. */
export function replaceOnce(text: string, from: string, to: string): string {
  const first = text.indexOf(from);
  if (first < 0 || text.indexOf(from, first + 1) >= 0) throw new Error(`"${from}" must occur exactly once`);
  return text.slice(0, first) + to + text.slice(first + from.length);
}

/** 1-based line and column where `needle` (which must occur exactly once) starts in `text`. */
export function positionOf(text: string, needle: string): { line: number; column: number } {
  const index = text.indexOf(needle);
  if (index < 0 || text.indexOf(needle, index + 1) >= 0) throw new Error(`"${needle}" must occur exactly once`);
  const before = text.slice(0, index).split('\n');
  return { line: before.length, column: before.at(-1)!.length + 1 };
}
