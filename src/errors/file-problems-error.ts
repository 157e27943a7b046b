import path from 'node:path';
import { HeroldError } from './herold-error.ts';

/** Where in a file a problem sits; line and column are 1-based. */
export interface SourcePosition {
  readonly file: string;
  readonly line?: number;
  readonly column?: number;
}

/** One problem found in a schedule or template file. */
export interface Problem extends SourcePosition {
  /** What is wrong, as a sentence. */
  readonly message: string;
  /** How to fix it, as a sentence. */
  readonly hint?: string;
}

/** `file:line:column`, with the file relative to the working directory when it lies below it. */
export function formatPosition(position: SourcePosition): string {
  const relative = path.relative(process.cwd(), position.file);
  const file = relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : position.file;
  if (position.line === undefined) return file;
  if (position.column === undefined) return `${file}:${position.line}`;
  return `${file}:${position.line}:${position.column}`;
}

export function formatProblem(problem: Problem): string {
  const hint = problem.hint ? ` ${problem.hint}` : '';
  return `${formatPosition(problem)}: ${problem.message}${hint}`;
}

/** An error as one line: a file problem with its file:line (and how many more), else the message. */
export function describeProblem(error: unknown): string {
  if (error instanceof FileProblemsError) {
    const [first, ...rest] = error.problems;
    return `${first ? formatProblem(first) : error.message}${rest.length > 0 ? ` (and ${rest.length} more)` : ''}`;
  }
  return error instanceof Error ? error.message : String(error);
}

/** A file Herold reads cannot be used as it is; `problems` says where and why, one per line. */
export class FileProblemsError extends HeroldError {
  override name = 'FileProblemsError';
  readonly problems: readonly Problem[];

  constructor(problems: readonly Problem[]) {
    super(problems.map(formatProblem).join('\n'));
    this.problems = problems;
  }
}

/** A schedule file (or a template it uses) cannot be used as it is. */
export class ScheduleError extends FileProblemsError {
  override name = 'ScheduleError';
}

/** An FAQ folder (faq.yaml, its answer templates) or a question set cannot be used as it is. */
export class FaqError extends FileProblemsError {
  override name = 'FaqError';
}
