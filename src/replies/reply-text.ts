import { defuseMentions } from '../render/defuse-mentions.ts';
import { countableLength, extractEntities } from '../render/mastodon-length.ts';

// An answer must mention nobody but the asker; handles in templates (the schedule's `contact: "@paula"`) are defused.
export { defuseMentions };

/**
 * The text of a reply: the asker's full `@acct`, then the rendered answer,
 * within the instance's limit. The asker is the only account mentioned; the
 * answer holds no user text (templates only), which this cannot check, but
 * a second mention would be a bug and throws.
 */
export function composeReply(acct: string, answer: string, limit: number): string {
  if (!/^[a-z0-9_]+(?:[.-]+[a-z0-9_]+)*(?:@[\p{L}\p{N}.-]+)?$/iu.test(acct)) {
    throw new Error(`"${acct}" is not an account handle; refusing to address a reply to it.`);
  }
  const prefix = `@${acct} `;
  let body = defuseMentions(answer.trim());
  let text = `${prefix}${body}`;
  if (countableLength(text) > limit) {
    const words = body.split(' ');
    while (words.length > 1 && countableLength(`${prefix}${words.join(' ')} …`) > limit) words.pop();
    body = `${words.join(' ')} …`;
    text = `${prefix}${body}`;
  }
  const mentions = extractEntities(text).filter((e) => e.kind === 'mention');
  const [username, domain] = acct.split('@');
  const only = mentions[0];
  if (
    mentions.length !== 1 ||
    !only ||
    only.kind !== 'mention' ||
    only.start !== 0 ||
    only.username.toLowerCase() !== username!.toLowerCase() ||
    (only.domain ?? '').toLowerCase() !== (domain ?? '').toLowerCase()
  ) {
    throw new Error(`A reply to @${acct} would mention someone else; not sending it.`);
  }
  return text;
}
