import { isAlias, visit, type Document, type LineCounter } from 'yaml';
import { FileProblemsError } from '../errors.ts';

/**
 * `doc.toJS()`, with the yaml library's guard against alias bombs
 * ("billion laughs": aliases of aliases that expand exponentially) turned
 * into a file:line error instead of an uncaught ReferenceError.
 */
export function yamlToJs(doc: Document, lines: LineCounter, file: string): unknown {
  try {
    return doc.toJS({ maxAliasCount: 100 });
  } catch (error) {
    if (!(error instanceof ReferenceError) && !(error instanceof TypeError)) throw error;
    let offset = 0;
    visit(doc, {
      Alias(_key, node) {
        if (isAlias(node) && node.range) {
          offset = node.range[0];
          return visit.BREAK;
        }
        return undefined;
      },
    });
    const { line, col } = lines.linePos(offset);
    throw new FileProblemsError([
      {
        file,
        line,
        column: col,
        message: `The YAML aliases (*name) here expand too far: ${error.message.replace(/\.$/, '')}.`,
        hint: 'Write the values out instead of repeating aliases of aliases; a schedule needs no aliases.',
      },
    ]);
  }
}
