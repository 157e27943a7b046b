import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { ScheduleError, type Problem } from '../errors.ts';
import { readTextFile } from '../files/read-text-file.ts';
import { TemplateRenderer } from '../render/template-renderer.ts';
import { FALLBACK_ID, FAQ_IDS } from './ids.ts';
import type { Language } from './language.ts';
import { answersIn, FAQ_FILE, type FaqTemplate, type LoadedFaq } from './load-faq.ts';
import { parseAnswer } from './parse-answer.ts';

/** The answers one schedule's questions get in one language. */
export interface AnswerTemplates {
  /** The default answers' folder (for a renderer's messages). */
  readonly dir: string;
  /** The language of the answers: German when the FAQ has none in the one asked for. */
  readonly language: Language;
  /** Every answer by id, 'fallback' included: the schedule's own where it has one, else the default. */
  readonly templates: ReadonlyMap<string, FaqTemplate>;
}

/**
 * The folders that override FAQ answers for a schedule, most specific first:
 * `<dir>/faq` (German) or `<dir>/faq/en` (English) of each of its template
 * dirs. A folder with a faq.yaml is a whole FAQ (templates/de/faq), not an
 * override, and is left out.
 */
export function overrideDirs(templateDirs: readonly string[], language: Language): string[] {
  return templateDirs
    .map((dir) => (language === 'de' ? path.join(dir, 'faq') : path.join(dir, 'faq', language)))
    .filter((dir) => existsSync(dir) && !existsSync(path.join(dir, FAQ_FILE)));
}

/**
 * Reads the `<id>.hbs` files of one override folder: each must name an FAQ
 * entry (or 'fallback') and parse.
 */
export function readOverrides(dir: string, ids: readonly string[]): { templates: Map<string, FaqTemplate>; problems: Problem[] } {
  const templates = new Map<string, FaqTemplate>();
  const problems: Problem[] = [];
  for (const name of readdirSync(dir).filter((n) => n.endsWith('.hbs')).sort()) {
    const file = path.join(dir, name);
    const id = name.slice(0, -4);
    if (!ids.includes(id)) {
      problems.push({
        file,
        line: 1,
        message: `There is no FAQ entry "${id}", so this answer would never be sent.`,
        hint: `Name the file after the entry whose answer it replaces: ${ids.map((i) => `${i}.hbs`).join(', ')}.`,
      });
      continue;
    }
    const parsed = parseAnswer(file, readTextFile(file, 'template'));
    if ('problem' in parsed) problems.push(parsed.problem);
    else templates.set(id, parsed.template);
  }
  return { templates, problems };
}

/** The ids an override may use: every FAQ entry and 'fallback'. */
const OVERRIDABLE: readonly string[] = [...FAQ_IDS, FALLBACK_ID];

/**
 * Throws ScheduleError with every problem of a schedule's FAQ overrides
 * (both languages), as loading a schedule does for its toot templates;
 * otherwise returns the ids each language overrides.
 */
export function checkAnswerOverrides(schedule: { readonly templateDirs: readonly string[] }): Record<'de' | 'en', string[]> {
  const problems: Problem[] = [];
  const ids = { de: new Set<string>(), en: new Set<string>() };
  for (const language of ['de', 'en'] as const) {
    for (const dir of overrideDirs(schedule.templateDirs, language)) {
      const read = readOverrides(dir, OVERRIDABLE);
      problems.push(...read.problems);
      for (const id of read.templates.keys()) ids[language].add(id);
    }
  }
  if (problems.length > 0) throw new ScheduleError(problems);
  return { de: [...ids.de].sort(), en: [...ids.en].sort() };
}

/** Per FAQ, per schedule (its templateDirs, new with every load of the file), per language. */
const cache = new WeakMap<object, WeakMap<readonly string[], Map<Language, AnswerTemplates>>>();

/**
 * The answers for a question in `language` about the schedule with these
 * template dirs: the default FAQ's, with the schedule's own overrides over
 * them. Files are read once per loaded schedule; a broken override throws
 * ScheduleError with its file and line.
 */
export function answerTemplates(faq: Pick<LoadedFaq, 'answers'>, templateDirs: readonly string[], language: Language): AnswerTemplates {
  let bySchedule = cache.get(faq.answers);
  if (!bySchedule) cache.set(faq.answers, (bySchedule = new WeakMap()));
  let byLanguage = bySchedule.get(templateDirs);
  if (!byLanguage) bySchedule.set(templateDirs, (byLanguage = new Map()));
  const cached = byLanguage.get(language);
  if (cached) return cached;

  const { dir, language: answered } = answersIn(faq, language);
  const defaults = (faq.answers[answered] ?? faq.answers.de).templates;
  const templates = new Map(defaults);
  const problems: Problem[] = [];
  // Least specific first, so that the schedule's own folder has the last word.
  for (const overrides of overrideDirs(templateDirs, answered).reverse()) {
    const read = readOverrides(overrides, [...defaults.keys()]);
    problems.push(...read.problems);
    for (const [id, template] of read.templates) templates.set(id, template);
  }
  if (problems.length > 0) throw new ScheduleError(problems);
  const result: AnswerTemplates = { dir, language: answered, templates };
  byLanguage.set(language, result);
  return result;
}

const renderers = new WeakMap<AnswerTemplates, TemplateRenderer>();

/**
 * A renderer for the answers answerTemplates gives, made once per schedule
 * (as loaded) and language, so each template is compiled once.
 */
export function answerRenderer(faq: Pick<LoadedFaq, 'answers'>, templateDirs: readonly string[], language: Language): { readonly renderer: TemplateRenderer; readonly language: Language } {
  const set = answerTemplates(faq, templateDirs, language);
  let renderer = renderers.get(set);
  if (!renderer) renderers.set(set, (renderer = new TemplateRenderer(set.dir, set.templates)));
  return { renderer, language: set.language };
}
