/**
 * Status text handling the way Mastodon does it: entity extraction, the
 * character count used by StatusLengthValidator, and the HTML that
 * TextFormatter produces. Herold's own length check and its HTML-to-text
 * parsing of FAQ questions are tested against this, so the details matter.
 */

/** Every http(s) URL counts as this many characters, however long it is. */
export const URL_PLACEHOLDER_CHARS = 23;

const WORD = '\\p{L}\\p{M}\\p{N}\\p{Pc}';

// Account::MENTION_RE: a username, optionally followed by @domain, not preceded by a word char, '=' or '/'.
const MENTION_RE = new RegExp(
  `(?<![=/${WORD}])@([a-z0-9_]+(?:[.-]+[a-z0-9_]+)*)(?:@([${WORD}.-]+[${WORD}]+))?`,
  'giu',
);

// Simplified Tag::HASHTAG_RE: at least one letter, not preceded by '=', '/', ')' or an alphanumeric.
const HASHTAG_RE = new RegExp(`(?<![=/)\\p{L}\\p{N}])[#＃]([${WORD}]*\\p{L}[${WORD}]*)`, 'gu');

// Only URLs with an explicit scheme get the length concession (extract_url_without_protocol: false).
const URL_RE = /https?:\/\/[^\s<>"'\u00a0]+/giu;

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

const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

function graphemeCount(text: string): number {
  let count = 0;
  for (const _ of segmenter.segment(text)) count += 1;
  return count;
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

export function escapeHtml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

function shortenedLink(url: string): string {
  const prefix = /^https?:\/\/(www\.)?/i.exec(url)?.[0] ?? '';
  const rest = url.slice(prefix.length);
  const display = rest.slice(0, 30);
  const suffix = rest.slice(30);
  const ellipsis = rest.length > 30 ? 'ellipsis' : '';
  return (
    `<a href="${escapeHtml(url)}" target="_blank" rel="nofollow noopener" translate="no">` +
    `<span class="invisible">${escapeHtml(prefix)}</span>` +
    `<span class="${ellipsis}">${escapeHtml(display)}</span>` +
    `<span class="invisible">${escapeHtml(suffix)}</span></a>`
  );
}

export interface RenderContext {
  /** Instance domain, for hashtag and profile links. */
  readonly domain: string;
  /** Resolves a mention to a local account; unknown accounts stay plain text like on Mastodon. */
  readonly resolveMention: (username: string, domain: string | null) => { username: string; url: string } | undefined;
}

/**
 * TextFormatter + Rails simple_format: escaped text, links for URLs, known
 * mentions and hashtags, paragraphs on blank lines and `<br />` on single
 * newlines, with the newlines themselves removed.
 */
export function renderContent(text: string, context: RenderContext): string {
  const body = text.trim().replace(/\r\n?/g, '\n');
  if (body === '') return '';
  let html = '';
  let cursor = 0;
  for (const entity of extractEntities(body)) {
    html += escapeHtml(body.slice(cursor, entity.start));
    const raw = body.slice(entity.start, entity.end);
    if (entity.kind === 'url') {
      html += shortenedLink(entity.url);
    } else if (entity.kind === 'hashtag') {
      const url = `https://${context.domain}/tags/${encodeURIComponent(entity.tag)}`;
      html += `<a href="${escapeHtml(url)}" class="mention hashtag" rel="tag">#<span>${escapeHtml(entity.tag)}</span></a>`;
    } else {
      const account = context.resolveMention(entity.username, entity.domain);
      html += account
        ? `<span class="h-card" translate="no"><a href="${escapeHtml(account.url)}" class="u-url mention">@<span>${escapeHtml(account.username)}</span></a></span>`
        : escapeHtml(raw);
    }
    cursor = entity.end;
  }
  html += escapeHtml(body.slice(cursor));
  return html
    .split(/\n\n+/)
    .map((paragraph) => `<p>${paragraph.split('\n').join('<br />')}</p>`)
    .join('');
}
