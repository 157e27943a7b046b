/**
 * The profile page of an account written as "@name@host": https://host/@name,
 * where Mastodon serves it. Null for a local "@name", whose host is not known
 * here. A link, not a mention: it notifies nobody and can be searched and copied.
 */
export function profileUrl(handle: string): string | null {
  const match = /^@([\w.-]+)@([a-z0-9.-]+\.[a-z0-9-]+)$/i.exec(handle);
  return match ? `https://${match[2]!.toLowerCase()}/@${match[1]}` : null;
}
