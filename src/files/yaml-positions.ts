import { isMap, isPair, isScalar, isSeq, type Document, type LineCounter, type Node, type Pair } from 'yaml';

type Path = readonly PropertyKey[];

/** Finds where a value (or the key naming it) sits in a parsed YAML document: the one place for schedule and FAQ files. */
export class YamlPositions {
  constructor(
    private readonly doc: Document,
    private readonly lines: LineCounter,
  ) {}

  /** Line and column (1-based) of the value at `path`, or of the nearest parent that exists. */
  of(path: Path, { key = false } = {}): { line: number; column: number } {
    let node: unknown = this.doc.contents;
    let best: { line: number; column: number } = { line: 1, column: 1 };
    for (const segment of path) {
      const pair = findPair(node, segment);
      if (pair) {
        const anchor = (key ? pair.key : (pair.value ?? pair.key)) as Node | null;
        if (anchor?.range) best = this.at(anchor.range[0]);
        node = pair.value;
        continue;
      }
      if (isSeq(node) && typeof segment === 'number') {
        const item = node.items[segment] as Node | undefined;
        if (item?.range) best = this.at(item.range[0]);
        node = item;
        continue;
      }
      break;
    }
    return best;
  }

  at(offset: number): { line: number; column: number } {
    const { line, col } = this.lines.linePos(offset);
    return { line, column: col };
  }
}

/** Keys compare as text: zod reports the YAML key `2024` as "2024". */
function findPair(node: unknown, segment: PropertyKey): Pair | undefined {
  if (!isMap(node)) return undefined;
  return node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(segment)) as Pair | undefined;
}
