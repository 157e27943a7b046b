/** One line of a line diff: kept (' '), removed ('-') or added ('+'). */
export interface DiffLine {
  readonly op: ' ' | '-' | '+';
  readonly line: string;
}

/**
 * A line diff of two texts (longest common subsequence; toots are a few
 * dozen lines at most). Removed lines come before the added lines that
 * replace them, as in `diff -u`.
 */
export function lineDiff(before: string, after: string): DiffLine[] {
  const a = before.split('\n');
  const b = after.split('\n');
  // lcs[i][j]: length of the LCS of a[i..] and b[j..].
  const lcs: number[][] = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      lcs[i]![j] = a[i] === b[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
    }
  }
  const result: DiffLine[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      result.push({ op: ' ', line: a[i]! });
      i++;
      j++;
    } else if (j >= b.length || (i < a.length && lcs[i + 1]![j]! >= lcs[i]![j + 1]!)) {
      result.push({ op: '-', line: a[i]! });
      i++;
    } else {
      result.push({ op: '+', line: b[j]! });
      j++;
    }
  }
  return result;
}

/** `- `/`+ ` lines (and `  ` for kept ones when `context` is true). */
export function formatDiff(diff: readonly DiffLine[], context = true): string[] {
  return diff.filter((d) => context || d.op !== ' ').map((d) => `${d.op} ${d.line}`.trimEnd());
}
