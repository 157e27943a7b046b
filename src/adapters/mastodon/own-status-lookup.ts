import type { mastodon } from 'masto';
import type { OwnStatusQuery, PostedStatus } from '../../core/ports/mastodon-account.ts';

/** StatusPinValidator::PIN_LIMIT: pins per local account. */
export const PIN_LIMIT = 5;

/** Clocks of Herold and the instance may disagree by this much. */
const CLOCK_SLACK_MS = 60_000;
/** Pages of 40 own statuses looked through at most (replies to questions can be many). */
const MAX_PAGES = 5;

export interface OwnStatusSources {
  readonly ownId: string;
  /** One page (newest first) of the account's statuses, older than `maxId` when given. */
  recent(maxId: string | null): Promise<mastodon.v1.Status[]>;
  /** The replies below a status (its context's descendants). */
  descendants(statusId: string): Promise<mastodon.v1.Status[]>;
  /** The status's text as it was sent (GET /api/v1/statuses/:id/source). */
  source(statusId: string): Promise<string>;
}

/**
 * Finds the status a POST created when its answer never arrived. A candidate
 * is the account's own, answers the same status, has the same visibility and
 * was created after the first attempt; it matches when its source text is the
 * text sent (Mastodon strips surrounding whitespace before saving). For a
 * reply the thread is looked at first, then the account's recent statuses.
 */
export async function findOwnStatus(query: OwnStatusQuery, from: OwnStatusSources): Promise<PostedStatus | null> {
  const since = query.since - CLOCK_SLACK_MS;
  const wanted = query.text.trim();
  const seen = new Set<string>();
  const matches = async (status: mastodon.v1.Status) => {
    if (seen.has(status.id)) return false;
    seen.add(status.id);
    if (status.account.id !== from.ownId || (status.inReplyToId ?? null) !== query.inReplyToId || status.visibility !== query.visibility) return false;
    if (Date.parse(status.createdAt) < since) return false;
    if (query.isTaken && (await query.isTaken(status.id))) return false;
    return (await from.source(status.id)).trim() === wanted;
  };
  const found = (status: mastodon.v1.Status): PostedStatus => ({ id: status.id, url: status.url ?? status.uri ?? null });

  if (query.inReplyToId) {
    // Oldest first: if two exist after all, the first one is the one followers saw first.
    const replies = [...(await from.descendants(query.inReplyToId))].sort((a, b) => compareIds(a.id, b.id));
    for (const status of replies) if (await matches(status)) return found(status);
  }
  let maxId: string | null = null;
  for (let page = 0; page < MAX_PAGES; page += 1) {
    const statuses = await from.recent(maxId);
    for (const status of [...statuses].reverse()) if (await matches(status)) return found(status);
    const oldest = statuses.at(-1);
    if (!oldest || statuses.length < 40 || Date.parse(oldest.createdAt) < since) break;
    maxId = oldest.id;
  }
  return null;
}

/** Mastodon ids are decimal strings without leading zeros. */
function compareIds(a: string, b: string): number {
  return a.length !== b.length ? a.length - b.length : a < b ? -1 : a > b ? 1 : 0;
}
