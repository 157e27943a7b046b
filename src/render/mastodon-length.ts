/**
 * Mastodon's way of counting a status: entity extraction and the character
 * count StatusLengthValidator uses. Herold checks every toot with this before
 * the day; the sandbox server enforces the same rule, so both agree.
 */

/** Every http(s) URL counts as this many characters, however long it is. */
export const URL_PLACEHOLDER_CHARS = 23;

const WORD = '\\p{L}\\p{M}\\p{N}\\p{Pc}';

// Account::MENTION_RE: a username, optionally followed by @domain, not preceded by a word char, '=' or '/'.
// Mastodon's expression is case-insensitive; spelling out A-Z instead of the `i` flag matches the same
// texts (the Unicode classes are closed under case already) and spares V8 the case closure of \p{L},
// which costs several milliseconds at the first toot of every process.
const MENTION_RE = new RegExp(
  `(?<![=/${WORD}])@([a-zA-Z0-9_]+(?:[.-]+[a-zA-Z0-9_]+)*)(?:@([${WORD}.-]+[${WORD}]+))?`,
  'gu',
);

// Simplified Tag::HASHTAG_RE: at least one letter, not preceded by '=', '/', ')' or an alphanumeric.
const HASHTAG_RE = new RegExp(`(?<![=/)\\p{L}\\p{N}])[#＃]([${WORD}]*\\p{L}[${WORD}]*)`, 'gu');

// Only URLs with an explicit scheme get the length concession (extract_url_without_protocol: false).
const URL_RE = /https?:\/\/[^\s<>"'\u00a0]+/giu;
/** Quick tests for whether a text can hold a URL or a hashtag at all. */
const HAS_URL = /https?:\/\//i;
const HAS_HASH = /[#＃]/;

export type TextEntity =
  | { kind: 'url'; start: number; end: number; url: string }
  | { kind: 'mention'; start: number; end: number; username: string; domain: string | null }
  | { kind: 'hashtag'; start: number; end: number; tag: string };

function trimUrl(raw: string): string {
  let url = raw;
  for (;;) {
    const last = url.at(-1);
    if (last === undefined) return url;
    if ('.,;:!?\'"»”’'.includes(last)) {
      url = url.slice(0, -1);
      continue;
    }
    // A closing parenthesis belongs to the URL only if it closes one inside it (Wikipedia links).
    if (last === ')') {
      const opens = url.split('(').length - 1;
      const closes = url.split(')').length - 1;
      if (closes > opens) {
        url = url.slice(0, -1);
        continue;
      }
    }
    return url;
  }
}

/** URLs, mentions and hashtags in text order, overlapping ones removed (first one wins). */
export function extractEntities(text: string): TextEntity[] {
  const found: TextEntity[] = [];
  // The Unicode-aware expressions are costly to compile and run; most lines have nothing for them to find.
  if (!HAS_URL.test(text) && !text.includes('@') && !HAS_HASH.test(text)) return found;
  for (const m of text.matchAll(URL_RE)) {
    const url = trimUrl(m[0]);
    // A bare scheme ("https://") is not a link.
    if (url.length <= url.indexOf('//') + 2) continue;
    found.push({ kind: 'url', start: m.index, end: m.index + url.length, url });
  }
  for (const m of text.matchAll(MENTION_RE)) {
    found.push({
      kind: 'mention',
      start: m.index,
      end: m.index + m[0].length,
      username: m[1] ?? '',
      domain: m[2] ?? null,
    });
  }
  for (const m of text.matchAll(HASHTAG_RE)) {
    found.push({ kind: 'hashtag', start: m.index, end: m.index + m[0].length, tag: m[1] ?? '' });
  }
  found.sort((a, b) => a.start - b.start || b.end - a.end);
  const result: TextEntity[] = [];
  let reached = 0;
  for (const entity of found) {
    if (entity.start < reached) continue;
    result.push(entity);
    reached = entity.end;
  }
  return result;
}

/** Made at the first line that needs it: ICU's segmenter costs ~10 ms to set up, which most runs never need. */
let segmenter: Intl.Segmenter | undefined;

/** Printable ASCII and tab: one character is one grapheme (no combining marks, no CR LF). */
const PLAIN = /^[\x20-\x7e\t]*$/;
/**
 * Characters that are each a grapheme cluster of their own, whatever stands beside them: Latin letters
 * with their accents (U+00A0–U+02FF, before the combining marks at U+0300), punctuation, currency signs,
 * arrows, technical symbols, box drawing, dingbats and the pictographs of the astral emoji blocks. None of
 * them is Extend, SpacingMark, Prepend, ZWJ, a regional indicator, a Hangul jamo or an emoji modifier (the
 * skin tones U+1F3FB–U+1F3FF are left out), so a line of nothing else has one cluster per code point
 * (UAX #29 breaks everywhere else; a test compares with Intl.Segmenter). German toots are such lines.
 */
const ONE_CLUSTER_EACH = /^[\t\x20-\x7e\u00a0-\u02ff\u2010-\u2027\u2030-\u205e\u20a0-\u20c0\u2100-\u23ff\u2500-\u27bf\u{1f300}-\u{1f3fa}\u{1f400}-\u{1faff}]*$/u;
/** Grapheme counts of lines seen before; toots repeat the same lines (a progress table) over and over. */
const lineCounts = new Map<string, number>();
const MAX_REMEMBERED_LINES = 20_000;

function lineGraphemes(line: string): number {
  if (PLAIN.test(line)) return line.length;
  let count = lineCounts.get(line);
  if (count === undefined) {
    count = 0;
    if (ONE_CLUSTER_EACH.test(line)) {
      for (const _ of line) count += 1;
    } else {
      segmenter ??= new Intl.Segmenter(undefined, { granularity: 'grapheme' });
      for (const _ of segmenter.segment(line)) count += 1;
    }
    if (lineCounts.size >= MAX_REMEMBERED_LINES) lineCounts.clear();
    lineCounts.set(line, count);
  }
  return count;
}

/**
 * Grapheme clusters, counted line by line: Unicode always breaks around a
 * line break (UAX #29 GB4/GB5; CR LF is one cluster), so the sum over the
 * lines is the count of the whole. Intl.Segmenter costs about a microsecond
 * per character, and validating a long schedule counts millions of them.
 */
export function graphemeCount(text: string): number {
  let count = 0;
  let breaks = 0;
  for (const line of text.split(/\r\n|\r|\n/)) {
    count += lineGraphemes(line);
    breaks += 1;
  }
  return count + breaks - 1;
}

/**
 * StatusLengthValidator: grapheme clusters of spoiler_text plus text, where
 * each URL counts as 23 and a remote mention `@user@domain` counts as `@user`.
 * Mastodon strips both fields before counting.
 */
export function countableLength(text: string, spoilerText = ''): number {
  const body = text.trim();
  let countable = '';
  let cursor = 0;
  for (const entity of extractEntities(body)) {
    if (entity.kind === 'hashtag') continue;
    countable += body.slice(cursor, entity.start);
    countable += entity.kind === 'url' ? 'x'.repeat(URL_PLACEHOLDER_CHARS) : `@${entity.username}`;
    cursor = entity.end;
  }
  countable += body.slice(cursor);
  return graphemeCount(spoilerText.trim() + countable);
}
