import { createHash } from 'node:crypto';
import type { PublicToot, PublicView } from './public-view.ts';

/**
 * Characters XML 1.0 does not allow at all: control characters other than
 * tab, LF, CR; U+FFFE, U+FFFF; and lone surrogates. With the `u` flag, so an
 * emoji (a surrogate pair) stays whole.
 */
const INVALID_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|\p{Cs}/gu;

export function escapeXml(text: string): string {
  return text
    .replace(INVALID_XML, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

/** A stable urn:uuid from any string (SHA-1 name-based, like UUID v5). */
export function uuidUrn(name: string): string {
  const h = createHash('sha1').update(name).digest('hex');
  const variant = ((parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16);
  return `urn:uuid:${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export interface FeedOptions {
  /** Where the feed is served (rel="self"): absolute with a public URL, else root-relative. */
  readonly selfUrl: string;
  /** The status page (rel="alternate"). */
  readonly pageUrl: string;
  /** Stable across restarts and hosts: the feed id is derived from it. */
  readonly feedKey: string;
  /** Used for <updated> when nothing has been posted yet. */
  readonly now: Date;
}

interface Entry {
  readonly view: PublicView;
  readonly toot: PublicToot;
}

/**
 * Atom (RFC 4287) feed of every toot Herold has posted, newest first. Each
 * entry carries the toot's text; the progress toot's `updated` follows its
 * edits, so a feed reader shows it again when it changes. A toot whose text
 * Herold did not keep (adopted after a crash) says what it was and links it.
 */
export function atomFeed(views: readonly PublicView[], options: FeedOptions): string {
  const entries: Entry[] = views
    .flatMap((view) => view.toots.map((toot) => ({ view, toot })))
    .sort((a, b) => Date.parse(b.toot.updated) - Date.parse(a.toot.updated));
  const instances = [...new Set(views.map((v) => v.instance))];
  const title = instances.length === 1 ? `Herold: Wartung von ${instances[0]}` : 'Herold: Wartungen';
  const updated = entries.length > 0 ? new Date(entries[0]!.toot.updated) : options.now;
  const lines = [
    '<?xml version="1.0" encoding="utf-8"?>',
    '<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="de">',
    `  <id>${uuidUrn(`herold-feed:${options.feedKey}`)}</id>`,
    `  <title>${escapeXml(title)}</title>`,
    `  <subtitle>${escapeXml('Alles, was Herold zur Wartung veröffentlicht hat.')}</subtitle>`,
    `  <updated>${updated.toISOString()}</updated>`,
    `  <link rel="self" type="application/atom+xml" href="${escapeXml(options.selfUrl)}"/>`,
    `  <link rel="alternate" type="text/html" href="${escapeXml(options.pageUrl)}"/>`,
    '  <author><name>Herold</name></author>',
    '  <generator>Herold</generator>',
  ];
  for (const { view, toot } of entries) {
    const key = `herold-toot:${view.id}:${toot.account}:${toot.id}`;
    const published = new Date(toot.at).toISOString();
    const text = toot.text ?? `${toot.label} zur Wartung von ${view.instance}, veröffentlicht am ${toot.atLabel}.${toot.url ? ` Zum Beitrag: ${toot.url}` : ''}`;
    lines.push(
      '  <entry>',
      `    <id>${uuidUrn(key)}</id>`,
      `    <title>${escapeXml(`${view.instance}: ${toot.label}`)}</title>`,
      `    <updated>${new Date(toot.updated).toISOString()}</updated>`,
      `    <published>${published}</published>`,
      ...(toot.url ? [`    <link rel="alternate" type="text/html" href="${escapeXml(toot.url)}"/>`] : []),
      `    <content type="text">${escapeXml(text)}</content>`,
      '  </entry>',
    );
  }
  lines.push('</feed>', '');
  return lines.join('\n');
}
