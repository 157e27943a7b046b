import type { Schedule } from '../schedule/schedule.ts';
import { ok, warn, type CheckResult } from './check.ts';

/** The fallback account Herold posts with (FALLBACK_MASTODON_URL), as verify_credentials names it. */
export interface FallbackAccount {
  /** The account's local acct, e.g. "wienrocks". */
  readonly acct: string;
  /** FALLBACK_MASTODON_URL. */
  readonly url: string;
}

/**
 * The schedule's `fallbackAccount` is what the toots tell followers to
 * follow during the downtime; FALLBACK_MASTODON_URL is where Herold posts
 * then. Both, or neither, and the same account: otherwise followers look for
 * news where none comes. Warnings only: an instance's account domain may
 * differ from its web address (LOCAL_DOMAIN vs WEB_DOMAIN).
 */
export function fallbackAccountCheck(schedule: Schedule, fallback: FallbackAccount | null): CheckResult {
  const name = `fallback-account ${schedule.id}`;
  const named = schedule.fallbackAccount;
  if (!named && !fallback) return ok(name, 'No fallback account: the toots name none, and Herold posts nowhere else during an outage.');
  if (named && !fallback) {
    return warn(name, `The toots tell followers to follow ${named} during the downtime, but Herold has no fallback account to post there.`, 'Set FALLBACK_MASTODON_URL and FALLBACK_MASTODON_ACCESS_TOKEN for that account, or remove fallbackAccount from the schedule.');
  }
  const posting = `@${fallback!.acct}@${new URL(fallback!.url).hostname}`;
  if (!named) {
    return warn(name, `Herold posts to ${posting} while the instance is down, but the toots do not tell followers to follow it.`, `Add fallbackAccount: "${posting}" to the schedule.`);
  }
  if (named.toLowerCase() !== posting.toLowerCase()) {
    return warn(name, `The toots name ${named}, but the fallback token belongs to ${posting}.`, `Make fallbackAccount and FALLBACK_MASTODON_URL/FALLBACK_MASTODON_ACCESS_TOKEN the same account (if the instance's account domain differs from its web address, this is fine).`);
  }
  return ok(name, `The toots name ${named}, the account Herold posts to during an outage.`);
}
