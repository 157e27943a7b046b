/**
 * The profile URL of the schedule's contact: `@paula` on the instance itself
 * becomes https://wien.rocks/@paula, `@paula@other.social` becomes
 * https://other.social/@paula. Answers name the contact this way because
 * a handle in the text would mention (and, in a DM, add) that person, and a
 * handle defused with an invisible character breaks search and copy; the URL
 * is readable, clickable and findable, and Mastodon never reads it as a mention.
 */
export function contactUrl(contact: string | null, instance: string): string | null {
  if (!contact) return null;
  const [username, domain] = contact.replace(/^@/, '').split('@');
  return `https://${domain ?? instance}/@${username}`;
}
