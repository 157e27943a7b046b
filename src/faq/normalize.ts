/**
 * Text normalisation for FAQ matching. Questions and FAQ keywords both pass
 * through here, so whatever this does to one it does to the other.
 *
 * Umlauts fold to their two-letter spelling (ä→ae, ö→oe, ü→ue, ß→ss) rather
 * than to the bare vowel: people who cannot type umlauts write "ae", and
 * "Muell"/"Müll" must meet, while folding "ae"→"a" would mangle words like
 * "aktuell" or "Steuer".
 */

const UMLAUTS: Readonly<Record<string, string>> = { ä: 'ae', ö: 'oe', ü: 'ue', ß: 'ss' };

/** Lowercases and folds umlauts and other diacritics (é→e) to plain ASCII letters. */
export function foldCase(text: string): string {
  return text
    .normalize('NFC')
    .toLowerCase()
    .replace(/[äöüß]/g, (c) => UMLAUTS[c] ?? c)
    .normalize('NFD')
    .replace(/\p{M}+/gu, '');
}

const URL = /\b(?:https?:\/\/|www\.)\S+/giu;
// @user and @user@domain; the instance domain of a mention carries no meaning.
const MENTION = /(?<![\p{L}\p{N}])@[\p{L}\p{N}_.-]+(?:@[\p{L}\p{N}_.-]+)?/gu;
// "geht's", "gibt’s": the clitic s is "es".
const CLITIC_ES = /(\p{L})['’´`]s(?![\p{L}\p{N}])/gu;
// "can't", "doesn't": English "not" (the stem left over, "doesn", is a stopword).
const CLITIC_NOT = /(\p{L})['’´`]t(?![\p{L}\p{N}])/gu;
// A bare domain such as wien.rocks is dropped like a URL: every question is
// about the instance anyway, and "wien" must not look like the city of
// Vienna. Only common top-level domains count: "Danke.Wann" (a missing
// space) must stay two words.
const DOMAIN =
  /(?<![\p{L}\p{N}])[a-z][a-z0-9-]*\.(?:rocks|social|at|de|ch|eu|com|org|net|io|wien|online|cloud|space|app|xyz)(?![\p{L}\p{N}])/gu;

const DOMAIN_ANY_CASE = new RegExp(DOMAIN.source, 'giu');

/**
 * The text without URLs, mentions and domains, otherwise untouched (case,
 * umlauts and punctuation stay): what is left is what the person wrote.
 */
export function withoutAddresses(text: string): string {
  return text.replace(URL, ' ').replace(MENTION, ' ').replace(DOMAIN_ANY_CASE, ' ').replace(/\s+/g, ' ').trim();
}

/** Whether the text names a domain such as wien.rocks (which normalize drops). */
export function mentionsDomain(text: string): boolean {
  return new RegExp(DOMAIN.source, 'iu').test(text.replace(URL, ' ').replace(MENTION, ' '));
}

/**
 * Lowercase, folded, punctuation-free text with URLs, domains and mentions removed.
 * Emoji and symbols become spaces; letters and digits stay.
 */
export function normalize(text: string): string {
  return foldCase(text.replace(URL, ' ').replace(MENTION, ' '))
    .replace(CLITIC_ES, '$1 es')
    .replace(CLITIC_NOT, '$1 not')
    .replace(DOMAIN, ' ')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

/** Splits normalised text into tokens. */
export function tokenize(text: string): string[] {
  const normalized = normalize(text);
  return normalized === '' ? [] : normalized.split(' ');
}
