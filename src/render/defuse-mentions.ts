/** Put after an '@' so that Mastodon no longer sees a mention; invisible when read. */
const ZERO_WIDTH_SPACE = '\u200b';

// The start of what Mastodon's mention regex would take as a mention (see render/mastodon-length.ts).
const MENTION_START = /(?<![=/\p{L}\p{M}\p{N}\p{Pc}])@(?=[a-z0-9_])/giu;

/**
 * Text that must mention nobody: a mention notifies that account, and in a
 * direct message adds it to the conversation. Handles stay readable but
 * are defused (`@` + zero-width space).
 */
export function defuseMentions(text: string): string {
  return text.replace(MENTION_START, `@${ZERO_WIDTH_SPACE}`);
}
