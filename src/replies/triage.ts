import type { IncomingNotification, NotificationPolicy } from './types.ts';

/**
 * Mastodon ids are decimal strings of 64-bit integers. They do not sort as
 * strings once the number of digits changes (99999 < 100000), so compare
 * them as numbers. Pure.
 */
export function compareIds(a: string, b: string): number {
  const x = BigInt(a);
  const y = BigInt(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

export function oldestFirst<T extends { readonly id: string }>(items: readonly T[]): T[] {
  return [...items].sort((a, b) => compareIds(a.id, b.id));
}

export function newestId(items: readonly { readonly id: string }[]): string | null {
  let newest: string | null = null;
  for (const item of items) if (newest === null || compareIds(item.id, newest) > 0) newest = item.id;
  return newest;
}

export type Verdict =
  | { readonly answer: true }
  | { readonly answer: false; readonly reason: 'not a mention' | 'no status' | 'own account' | 'bot account' | 'too old' };

/**
 * Whether a notification deserves an answer at all. Never: anything but a
 * mention, the bot's own account, accounts that say they are bots (two bots
 * would answer each other forever), and, when `notBefore` is given (the
 * first start, with no cursor yet), anything older than that.
 */
export function triage(n: IncomingNotification, selfId: string, notBefore?: number): Verdict {
  if (n.type !== 'mention') return { answer: false, reason: 'not a mention' };
  if (!n.status) return { answer: false, reason: 'no status' };
  if (n.account.id === selfId) return { answer: false, reason: 'own account' };
  if (n.account.bot) return { answer: false, reason: 'bot account' };
  if (notBefore !== undefined && Date.parse(n.createdAt) < notBefore) return { answer: false, reason: 'too old' };
  return { answer: true };
}

/** Policy settings that keep mentions from reaching the bot, with what each one hides. */
export function filteringSettings(policy: NotificationPolicy): { setting: string; value: string; hides: string }[] {
  const found: { setting: string; value: string; hides: string }[] = [];
  const check = (setting: string, value: string, hides: string) => {
    if (value !== 'accept') found.push({ setting, value, hides });
  };
  check('for_private_mentions', policy.forPrivateMentions, 'direct messages from accounts the bot does not follow');
  check('for_not_following', policy.forNotFollowing, 'mentions from accounts the bot does not follow');
  check('for_not_followers', policy.forNotFollowers, 'mentions from accounts that do not follow the bot');
  check('for_new_accounts', policy.forNewAccounts, 'mentions from accounts younger than 30 days');
  return found;
}
