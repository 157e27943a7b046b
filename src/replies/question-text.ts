import { safeText } from '../render/safe-text.ts';

/**
 * Turns a status as the API delivers it (HTML in `content`) into the plain
 * question the FAQ matcher sees: tags stripped, entities decoded, the leading
 * @mentions and any mention of the bot itself removed. Pure.
 */

const NAMED_ENTITIES: Readonly<Record<string, string>> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: ' ',
  shy: '',
};

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, body: string) => {
    if (body[0] === '#') {
      const code = body[1] === 'x' || body[1] === 'X' ? Number.parseInt(body.slice(2), 16) : Number.parseInt(body.slice(1), 10);
      return Number.isFinite(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return NAMED_ENTITIES[body.toLowerCase()] ?? whole;
  });
}

/** Mastodon's status HTML (paragraphs, `<br />`, links, invisible URL parts) as plain text. */
export function htmlToText(html: string): string {
  const text = html
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<\/p>\s*<p[^>]*>/gi, '\n\n')
    // Mastodon hides the scheme and the tail of long links in invisible spans; the text is the link.
    .replace(/<[^>]*>/g, '');
  return decodeEntities(text)
    .replace(/\r\n?/g, '\n')
    .replace(/[ \t\u00a0]+/g, ' ')
    .replace(/ *\n */g, '\n')
    .trim();
}

// A mention as Mastodon writes it: @user or @user@domain, not preceded by a word character.
const MENTION = String.raw`(?<![\p{L}\p{N}_=/])@[a-z0-9_]+(?:[.-]+[a-z0-9_]+)*(?:@[\p{L}\p{N}.-]*[\p{L}\p{N}])?`;
const LEADING_MENTIONS = new RegExp(String.raw`^(?:\s*${MENTION}[\s,:;]*)+`, 'iu');

/**
 * The question in a mention: spoiler text (a content warning may hold the
 * question) and content, without the @mentions it starts with. Mentions of
 * the bot further in are dropped too; other accounts named in the middle
 * stay, as they are part of what the person wrote.
 */
export function questionText(status: { readonly content: string; readonly spoilerText?: string }, botUsername?: string): string {
  const body = htmlToText(status.content).replace(LEADING_MENTIONS, '');
  let text = [status.spoilerText?.trim() ?? '', body].filter((part) => part !== '').join('\n');
  if (botUsername) {
    const self = new RegExp(String.raw`(?<![\p{L}\p{N}_=/])@${escapeRegExp(botUsername)}(?:@[\p{L}\p{N}.-]*[\p{L}\p{N}])?(?![\p{L}\p{N}_])`, 'giu');
    text = text.replace(self, ' ');
  }
  // What a user wrote is stored, printed by `herold questions` and may be logged: no escape sequences, controls or bidi overrides.
  return safeText(text).replace(/[ \t]{2,}/g, ' ').trim();
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
