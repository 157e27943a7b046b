import { UsageError } from '../errors.ts';
import { defuseMentions } from './defuse-mentions.ts';
import { extractEntities } from './mastodon-length.ts';
import { safeText } from './safe-text.ts';

/** Longest note, in characters, after cleaning. */
export const NOTE_MAX_CHARACTERS = 200;

export interface NoteRules {
  /** HEROLD_NOTE_URLS=on: a note may carry an http(s) link. Default off. */
  readonly allowUrls: boolean;
}

/**
 * A task note (webhook or `herold task … --note`) as it may appear in the
 * public milestone reply and on the status page. Whoever holds the webhook
 * token can write one, so a note may not make the admins' account notify
 * anyone: mentions are defused, as in answers to questions. Control and
 * bidi characters go, line breaks become spaces, and it must stay short.
 * Links are refused unless HEROLD_NOTE_URLS=on, so a leaked token cannot
 * put a phishing link in front of every follower. Returns null for a note
 * that is empty after cleaning; throws UsageError with what to change.
 */
export function operatorNote(raw: string, rules: NoteRules): string | null {
  const clean = safeText(raw, { newlines: false }).replace(/\s+/gu, ' ').trim();
  if (clean === '') return null;
  const length = [...clean].length;
  if (length > NOTE_MAX_CHARACTERS) {
    throw new UsageError(`The note is ${length} characters long; keep it to ${NOTE_MAX_CHARACTERS}. Details belong on the status page or in a toot of your own.`);
  }
  if (!rules.allowUrls && extractEntities(clean).some((e) => e.kind === 'url')) {
    throw new UsageError('The note contains a link, and notes may not (HEROLD_NOTE_URLS=off). Leave the link out, or set HEROLD_NOTE_URLS=on if your notes need links.');
  }
  return defuseMentions(clean);
}
