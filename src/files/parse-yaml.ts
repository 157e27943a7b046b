import { LineCounter, parseDocument } from 'yaml';
import { FileProblemsError } from '../errors.ts';
import { YamlPositions } from './yaml-positions.ts';
import { yamlToJs } from './yaml-to-js.ts';

export interface ParsedYaml {
  /** The plain JavaScript value of the document. */
  readonly value: unknown;
  /** Where each part of the value sits, for problems with a line. */
  readonly positions: YamlPositions;
}

/**
 * Parses one YAML file (duplicate keys are errors). Throws FileProblemsError
 * with a line for every syntax error; `hint` says how to fix one.
 */
export function parseYamlFile(text: string, file: string, hint: string): ParsedYaml {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new FileProblemsError(
      doc.errors.map((e) => {
        // linePos is only filled in with prettyErrors; compute it from the offset ourselves.
        const pos = e.linePos?.[0] ?? lines.linePos(e.pos[0]);
        return { file, line: pos.line, column: pos.col, message: `This is not valid YAML: ${firstLine(e.message)}.`, hint };
      }),
    );
  }
  return { value: yamlToJs(doc, lines, file), positions: new YamlPositions(doc, lines) };
}

function firstLine(message: string): string {
  return message.split('\n')[0]!.replace(/\s+at line \d+, column \d+:?$/, '').replace(/\.$/, '');
}
