import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { HeroldError, FaqError, type Problem } from '../errors.ts';
import { readTextFile } from '../files/read-text-file.ts';
import { parseYamlFile } from '../files/parse-yaml.ts';
import { prepare } from './analyzer.ts';
import { parseAnswer } from './parse-answer.ts';
import { FALLBACK_ID, FAQ_IDS } from './ids.ts';
import type { NotifyPhrases } from './classify.ts';
import type { Language } from './language.ts';
import { parseQuestionSet, type LabelledQuestion } from './evaluate.ts';
import type { FaqEntry, Keyword, MatcherOptions } from './types.ts';
import { shipped } from '../install-dir.ts';

/** templates/de/faq in this checkout. */
export const DEFAULT_FAQ_DIR = shipped('templates/de/faq/');

/** templates/en/faq in this checkout: the English answers. */
export const ENGLISH_FAQ_DIR = shipped('templates/en/faq/');

export const FAQ_FILE = 'faq.yaml';

/** Labelled questions beside faq.yaml that teach the matcher paraphrases (src/faq/example-index.ts); optional. */
export const EXAMPLES_FILE = 'examples.tsv';

/** The folder and language of the answers for a question in `language`: German when there are none in it. */
export function answersIn(faq: Pick<LoadedFaq, 'answers'>, language: Language): { readonly dir: string; readonly language: Language } {
  const answers = faq.answers[language];
  return answers ? { dir: answers.dir, language } : { dir: faq.answers.de.dir, language: 'de' };
}

export interface FaqTemplate {
  /** Path of the .hbs file, for error messages. */
  readonly file: string;
  /** Handlebars source (strict mode, noEscape; plain text). */
  readonly source: string;
}

export interface LoadedFaq {
  readonly dir: string;
  readonly entries: readonly FaqEntry[];
  /** Pass to createMatcher together with `entries`. */
  readonly options: MatcherOptions;
  /** Answer templates by entry id, plus 'fallback'. */
  readonly templates: ReadonlyMap<string, FaqTemplate>;
  /**
   * Answers per language: German always (this folder), English when
   * templates/en/faq exists beside it. A question in a language without
   * answers gets the German one.
   */
  readonly answers: Readonly<Partial<Record<Language, { readonly dir: string; readonly templates: ReadonlyMap<string, FaqTemplate> }>>> & {
    readonly de: { readonly dir: string; readonly templates: ReadonlyMap<string, FaqTemplate> };
  };
  /** Phrases asking to be told when the maintenance is over (faq.yaml `notify`); absent: nobody can ask. */
  readonly notify: NotifyPhrases | undefined;
  /** Words of thanks, praise and good wishes (faq.yaml `thanks`); empty: every such line falls back. */
  readonly thanks: readonly Keyword[];
  /** Questions labelled with their answer (examples.tsv); empty without the file. */
  readonly examples: readonly LabelledQuestion[];
}

const ID = /^[a-z][a-z0-9-]*$/;

const keywordMap = z.record(
  z.string().trim().min(1, 'A keyword must not be empty.'),
  z
    .number()
    .min(-10)
    .max(10)
    .refine((weight) => weight !== 0, 'A keyword weight of 0 does nothing; remove the keyword or give it a weight.'),
);

const faqSchema = z.strictObject({
  settings: z
    .strictObject({
      threshold: z.number().positive().optional(),
      margin: z.number().min(0).optional(),
      maxUnknownWords: z.number().int().min(0).optional(),
    })
    .optional(),
  synonyms: z.record(z.string().trim().min(1), z.array(z.string().trim().min(1)).min(1)).optional(),
  context: keywordMap.optional(),
  addressees: z.array(z.string().trim().min(1)).optional(),
  thanks: keywordMap.optional(),
  notify: z
    .strictObject({
      request: z.array(z.string().trim().min(1)).min(1),
      cancel: z.array(z.string().trim().min(1)).min(1),
    })
    .optional(),
  entries: z.record(
    z.string().regex(ID, 'An entry id must be lowercase letters, digits and dashes.'),
    z.strictObject({
      title: z.string().trim().min(1),
      keywords: keywordMap.refine((map) => Object.keys(map).length > 0, 'An entry needs at least one keyword.'),
    }),
  ),
});

type FaqFile = z.infer<typeof faqSchema>;

function toKeywords(map: Readonly<Record<string, number>>): Keyword[] {
  return Object.entries(map).map(([text, weight]) => ({ text, weight }));
}

/**
 * Parses and validates faq.yaml text. Pure; throws FaqError listing
 * every problem with its line.
 */
export function parseFaqFile(text: string, file: string): { entries: FaqEntry[]; options: MatcherOptions; thanks: Keyword[]; notify: NotifyPhrases | undefined } {
  const { value, positions } = parseYamlFile(text, file, 'Check the indentation and quote text that contains a colon.');
  const problems: Problem[] = [];
  const parsed = faqSchema.safeParse(value);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      // For an unknown key, point at the (first) key itself, not its parent.
      const path = issue.code === 'unrecognized_keys' ? [...issue.path, issue.keys[0] ?? ''] : issue.path;
      const where = positions.of(path, { key: issue.code === 'unrecognized_keys' || issue.code === 'invalid_key' });
      const at = issue.path.length > 0 ? ` (at ${issue.path.join('.')})` : '';
      const badKey = String(issue.path.at(-1));
      if (issue.code === 'invalid_key' && issue.path.length === 2 && issue.path[0] === 'entries') {
        problems.push({
          file,
          ...where,
          message: `"${badKey}" is not a valid entry id.`,
          hint: 'Use lowercase letters, digits and dashes; the answer template is <id>.hbs.',
        });
      } else {
        problems.push({ file, ...where, message: `${issue.message}${at}` });
      }
    }
    throw new FaqError(problems);
  }
  const data: FaqFile = parsed.data;

  for (const id of FAQ_IDS) {
    if (!(id in data.entries)) {
      problems.push({
        file,
        ...positions.of(['entries'], { key: true }),
        message: `The entry "${id}" is missing.`,
        hint: `Herold answers with these ids: ${FAQ_IDS.join(', ')}.`,
      });
    }
  }
  if (FALLBACK_ID in data.entries) {
    problems.push({
      file,
      ...positions.of(['entries', FALLBACK_ID], { key: true }),
      message: `"${FALLBACK_ID}" is reserved for questions without a confident match.`,
      hint: 'Edit fallback.hbs to change that answer.',
    });
  }
  // Keywords made only of stopwords ("wie", "das") could never match.
  const checkKeywords = (map: Readonly<Record<string, number>> | undefined, path: string[]): void => {
    for (const text of Object.keys(map ?? {})) {
      if (prepare(text).length === 0) {
        problems.push({
          file,
          ...positions.of([...path, text], { key: true }),
          message: `The keyword "${text}" consists only of filler words and can never match.`,
          hint: 'Use a more specific word, or a phrase that contains one.',
        });
      }
    }
  };
  checkKeywords(data.context, ['context']);
  checkKeywords(data.thanks, ['thanks']);
  for (const [id, entry] of Object.entries(data.entries)) checkKeywords(entry.keywords, ['entries', id, 'keywords']);
  for (const canonical of Object.keys(data.synonyms ?? {})) {
    if (prepare(canonical).length === 0) {
      problems.push({
        file,
        ...positions.of(['synonyms', canonical], { key: true }),
        message: `The synonym "${canonical}" consists only of filler words.`,
        hint: 'Pick a meaningful word as the canonical form.',
      });
    }
  }
  if (problems.length > 0) throw new FaqError(problems);

  const entries: FaqEntry[] = Object.entries(data.entries).map(([id, entry]) => ({
    id,
    title: entry.title,
    keywords: toKeywords(entry.keywords),
  }));
  const options: MatcherOptions = {
    threshold: data.settings?.threshold,
    margin: data.settings?.margin,
    maxUnknownWords: data.settings?.maxUnknownWords,
    addressees: data.addressees ?? [],
    synonyms: data.synonyms ?? {},
    context: toKeywords(data.context ?? {}),
  };
  return { entries, options, thanks: toKeywords(data.thanks ?? {}), notify: data.notify };
}

/**
 * Reads faq.yaml and the answer templates from `dir`, and the English
 * answers from templates/en/faq beside it when that folder exists.
 */
export async function loadFaq(dir: string = DEFAULT_FAQ_DIR): Promise<LoadedFaq> {
  const yamlFile = join(dir, FAQ_FILE);
  let text: string;
  try {
    await readdir(dir);
    text = readTextFile(yamlFile, 'FAQ file');
  } catch (error) {
    if (error instanceof FaqError) throw error;
    throw new HeroldError(`Cannot read the FAQ file ${yamlFile}; check that the FAQ directory exists.`, {
      cause: error,
    });
  }
  const { entries, options, thanks, notify } = parseFaqFile(text, yamlFile);
  const ids = entries.map((entry) => entry.id);
  const examplesFile = join(dir, EXAMPLES_FILE);
  const examples = existsSync(examplesFile) ? parseQuestionSet(readTextFile(examplesFile, 'FAQ examples file'), examplesFile, ids) : [];
  const templates = await loadAnswers(dir, ids);
  // English answers sit beside the German ones (templates/en/faq next to templates/de/faq).
  const englishDir = join(dir, '..', '..', 'en', 'faq');
  const english = existsSync(englishDir) ? await loadAnswers(englishDir, ids) : null;
  return { dir, entries, options, templates, thanks, notify, examples, answers: { de: { dir, templates }, ...(english ? { en: { dir: englishDir, templates: english } } : {}) } };
}

/**
 * The answer templates of one language's folder: every entry needs
 * `<id>.hbs`, and `fallback.hbs` must exist; templates are parsed (not
 * rendered) so syntax errors show up here with their line.
 */
async function loadAnswers(dir: string, ids: readonly string[]): Promise<Map<string, FaqTemplate>> {
  const names = await readdir(dir);
  const problems: Problem[] = [];
  const templates = new Map<string, FaqTemplate>();
  const wanted = [...ids, FALLBACK_ID];
  for (const id of wanted) {
    const file = join(dir, `${id}.hbs`);
    if (!names.includes(`${id}.hbs`)) {
      problems.push({
        file,
        message: `The answer template for "${id}" is missing.`,
        hint: id === FALLBACK_ID ? 'Create it; it answers questions without a confident match.' : `Create it, or remove "${id}" from ${FAQ_FILE}.`,
      });
      continue;
    }
    const parsed = parseAnswer(file, readTextFile(file, 'template'));
    if ('problem' in parsed) problems.push(parsed.problem);
    else templates.set(id, parsed.template);
  }
  for (const name of names) {
    if (name.endsWith('.hbs') && !wanted.includes(name.slice(0, -4))) {
      problems.push({
        file: join(dir, name),
        message: `No entry in ${FAQ_FILE} uses this template.`,
        hint: `Add an entry "${name.slice(0, -4)}" to ${FAQ_FILE}, or delete the file.`,
      });
    }
  }
  if (problems.length > 0) throw new FaqError(problems);
  return templates;
}
