import Handlebars from 'handlebars';
import type { Problem } from '../errors.ts';

/**
 * Line number of a Handlebars parse error: block mismatches carry
 * `lineNumber`, grammar errors only say "Parse error on line 3:".
 */
function handlebarsLine(error: unknown): number | undefined {
  const lineNumber = (error as { lineNumber?: unknown } | null)?.lineNumber;
  if (typeof lineNumber === 'number') return lineNumber;
  const match = /line (\d+)/.exec(error instanceof Error ? error.message : String(error));
  return match ? Number(match[1]) : undefined;
}

/**
 * One answer template, parsed (not rendered) so that a syntax error shows
 * up when it is read, with its line. Pure.
 */
export function parseAnswer(file: string, source: string): { readonly template: { readonly file: string; readonly source: string } } | { readonly problem: Problem } {
  try {
    Handlebars.parse(source);
  } catch (error) {
    return {
      problem: {
        file,
        line: handlebarsLine(error),
        message: `The template does not parse: ${(error instanceof Error ? error.message : String(error)).split('\n')[0]}`,
        hint: 'Check that every {{#if}} and {{#each}} is closed.',
      },
    };
  }
  return { template: { file, source } };
}
