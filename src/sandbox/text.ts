/**
 * Status text handling the way Mastodon does it: entity extraction, the
 * character count used by StatusLengthValidator, and the HTML that
 * TextFormatter produces. The counting itself lives in src/render so Herold
 * and the sandbox share one rule.
 */

import { extractEntities } from '../render/mastodon-length.ts';

export { countableLength, extractEntities, URL_PLACEHOLDER_CHARS, type TextEntity } from '../render/mastodon-length.ts';

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
