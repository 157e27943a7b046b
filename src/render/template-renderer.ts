import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import Handlebars from 'handlebars';
import { ScheduleError } from '../errors.ts';
import { readTextFile } from '../files/read-text-file.ts';
import { englishHelpers } from './english-helpers.ts';
import { helpers } from './helpers.ts';
import { countableLength } from './mastodon-length.ts';
import { forbiddenNames } from './template-names.ts';
import type { TootContext } from './toot-context.ts';

/** A template read already: the FAQ's answers come loaded (src/faq/load-faq.ts). */
export interface TemplateSource {
  /** Path of the .hbs file, for error messages. */
  readonly file: string;
  readonly source: string;
}

export interface RenderedToot {
  readonly text: string;
  /** Length as Mastodon counts it. */
  readonly length: number;
}

/**
 * Compiles and renders the `*.hbs` templates of one directory, or of several
 * layered ones (most specific first: a template or partial is taken from the
 * first directory that has it), read from disk as they are first used, or
 * given as `sources`. Strict mode makes an unknown variable an error, and
 * noEscape keeps toots plain text: "&" stays "&", never "&amp;".
 */
export class TemplateRenderer {
  private readonly handlebars = Handlebars.create();
  private readonly compiled = new Map<string, Handlebars.TemplateDelegate>();
  /** Partials (file, source) whose names are checked with the first template compiled. */
  private partials: [string, string][] = [];
  readonly dirs: readonly string[];

  constructor(
    dirs: string | readonly string[],
    private readonly sources?: ReadonlyMap<string, TemplateSource>,
  ) {
    this.dirs = typeof dirs === 'string' ? [dirs] : [...dirs];
    if (this.dirs.length === 0) throw new TypeError('TemplateRenderer needs at least one directory.');
    for (const [name, fn] of Object.entries({ ...helpers, ...englishHelpers })) this.handlebars.registerHelper(name, fn);
    // Files starting with "_" are partials shared by templates, e.g. {{> _tabelle}}; the most specific directory's wins.
    const partials = new Map<string, string>();
    for (const dir of sources ? [] : this.dirs.filter((d) => existsSync(d))) {
      for (const file of readdirSync(dir).filter((f) => f.startsWith('_') && f.endsWith('.hbs'))) {
        if (!partials.has(file)) partials.set(file, path.join(dir, file));
      }
    }
    for (const [file, full] of partials) {
      const source = readTextFile(full, 'template');
      this.handlebars.registerPartial(file.slice(0, -4), source);
      this.partials.push([full, source]);
    }
  }

  /** The file a template is read from: in the first directory that has it. */
  file(name: string): string {
    const given = this.sources?.get(name)?.file;
    if (given) return given;
    const files = this.dirs.map((dir) => path.join(dir, `${name}.hbs`));
    return files.find((f) => existsSync(f)) ?? files[0]!;
  }

  has(name: string): boolean {
    return this.sources ? this.sources.has(name) : existsSync(this.file(name));
  }

  render(name: string, context: TootContext): RenderedToot {
    const template = this.template(name);
    let text: string;
    try {
      text = template(context);
    } catch (error) {
      throw this.problem(name, error);
    }
    text = tidy(text);
    return { text, length: countableLength(text) };
  }

  private template(name: string): Handlebars.TemplateDelegate {
    let template = this.compiled.get(name);
    if (!template) {
      const source = this.sources?.get(name)?.source ?? readTextFile(this.file(name), 'template');
      const partials = this.partials;
      this.partials = [];
      checkNames([[this.file(name), source], ...partials]);
      template = this.handlebars.compile(source, { strict: true, noEscape: true });
      this.compiled.set(name, template);
    }
    return template;
  }

  private problem(name: string, error: unknown): ScheduleError {
    const message = error instanceof Error ? error.message : String(error);
    // Handlebars reports `"foo" not defined in [object Object] - 3:5` (or a parse error with "line N").
    const where = / - (\d+):(\d+)$/.exec(message) ?? /on line (\d+)/.exec(message);
    const missing = /^"([^"]+)" not defined/.exec(message);
    // Parse errors span several lines; the last one says what Handlebars expected.
    const lines = message.split('\n');
    const summary = lines[0]!.replace(/ - \d+:\d+$/, '').replace(/[:.]$/, '') + (lines.length > 1 ? ` (${lines.at(-1)})` : '');
    return new ScheduleError([
      {
        file: this.file(name),
        line: where ? Number(where[1]) : undefined,
        column: where?.[2] !== undefined ? Number(where[2]) + 1 : undefined,
        message: missing
          ? `The template uses "${missing[1]}", which is not a variable Herold provides.`
          : `The template cannot be rendered: ${summary}.`,
        hint: missing
          ? 'Check the spelling; the variables are listed in the README under Templates (schedule, window, tasks, progress, phase, now, entry, task, previousStart).'
          : 'Check the variable names and the Handlebars syntax on this line.',
      },
    ]);
  }
}

/** Refuses `{{constructor}}`, `{{__proto__}}` and their kind with file:line:column. */
function checkNames(sources: readonly [string, string][]): void {
  const problems = sources.flatMap(([file, source]) =>
    forbiddenNames(source).map((f) => ({
      file,
      line: f.line,
      column: f.column,
      message: `The template uses "${f.name}", which is not a variable Herold provides (every object has it, so it renders as nothing).`,
      hint: 'Use one of the variables listed in the README under Templates (schedule, window, tasks, progress, phase, now, entry, task, previousStart).',
    })),
  );
  if (problems.length > 0) throw new ScheduleError(problems);
}

/** Trailing spaces and runs of blank lines left by block helpers are not part of the toot. */
function tidy(text: string): string {
  return text
    .replace(/[ \t]+$/gm, '')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}
