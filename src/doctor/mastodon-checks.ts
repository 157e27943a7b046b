import type { InstanceFacts, InstanceProbe, Probe } from '../adapters/mastodon/instance-probe.ts';
import { PIN_LIMIT } from '../adapters/mastodon/own-status-lookup.ts';
import { fail, ok, warn, type CheckResult } from './check.ts';
import { EDIT_SINCE, parseVersion, supportsEditing } from './version.ts';

const SCOPES = 'write:statuses, write:accounts (pinning), write:favourites (thanks get a star), read:statuses and read:notifications';

function unreachable(check: string, url: string, probe: Extract<Probe<unknown>, { ok: false }>): CheckResult {
  return fail(check, `${url} does not answer (${probe.message}).`, 'Check MASTODON_URL and that the instance is up; from this machine: curl -I ' + url);
}

/** Which token a check is about: the primary one, or the fallback account's. */
export interface TokenNames {
  readonly check: string;
  readonly variable: string;
}

export const PRIMARY_TOKEN: TokenNames = { check: 'token', variable: 'MASTODON_ACCESS_TOKEN' };
export const FALLBACK_TOKEN: TokenNames = { check: 'fallback-token', variable: 'FALLBACK_MASTODON_ACCESS_TOKEN' };

/** verify_credentials: the token works, and whose it is. */
export async function tokenCheck(probe: InstanceProbe, url: string, names: TokenNames = PRIMARY_TOKEN): Promise<{ result: CheckResult; reachable: boolean; accountId?: string; acct?: string }> {
  const { check, variable } = names;
  const account = await probe.account();
  if (account.ok) {
    const bot = account.value.bot ? '' : ' (tip: mark the account as a bot in its profile settings)';
    return { result: ok(check, `${variable} works: Herold speaks as @${account.value.acct}${bot}.`), reachable: true, accountId: account.value.id, acct: account.value.acct };
  }
  if (account.status === null) return { result: unreachable(check, url, account), reachable: false };
  if (account.status === 401) {
    return { result: fail(check, `${url} refuses ${variable} (HTTP 401): it is wrong, revoked or expired.`, `Create a token under Einstellungen → Entwicklung with ${SCOPES}, and set ${variable}.`), reachable: true };
  }
  if (account.status === 403) {
    return { result: fail(check, `The token may not read its own account (HTTP 403): it lacks the read:accounts or profile scope.`, `Create a token with ${SCOPES} plus profile.`), reachable: true };
  }
  return { result: fail(check, `verify_credentials failed: HTTP ${account.status} ${account.message}.`, `Check that ${variable === 'MASTODON_ACCESS_TOKEN' ? 'MASTODON_URL' : 'FALLBACK_MASTODON_URL'} points at the instance itself.`), reachable: true };
}

/**
 * Mastodon cannot list a token's scopes. Reading notifications proves
 * read:notifications; the write scopes could only be proved by posting or
 * pinning, which a check must not do.
 */
export async function scopesCheck(probe: InstanceProbe): Promise<CheckResult> {
  const unverifiable = 'write:statuses and write:accounts cannot be checked without posting; the first toot (and its pin) will show.';
  const read = await probe.notifications();
  if (read.ok) return ok('scopes', `read:notifications works. ${unverifiable}`);
  if (read.status === 403) {
    return fail('scopes', `The token cannot read notifications (HTTP 403), so Herold cannot see questions. ${unverifiable}`, `Create a token with ${SCOPES}.`);
  }
  return warn('scopes', `Reading notifications failed (${read.status ?? 'no answer'}: ${read.message}); scopes unverifiable. ${unverifiable}`);
}

/**
 * The progress toot is pinned at the start; Mastodon refuses a sixth pin
 * (StatusPinValidator). Listing the pins also proves read:statuses, which
 * Herold needs to look for a toot whose answer was lost.
 */
export async function pinSlotCheck(probe: InstanceProbe, accountId: string): Promise<CheckResult> {
  const name = 'pin-slot';
  const pinned = await probe.pinnedCount(accountId);
  if (!pinned.ok) {
    if (pinned.status === 403) {
      return fail(name, 'The token cannot list the account\'s own statuses (HTTP 403): it lacks read:statuses, which Herold needs to check whether a toot whose answer was lost is already posted.', `Create a token with ${SCOPES}.`);
    }
    return warn(name, `Cannot list the pinned posts (${pinned.status ?? 'no answer'}: ${pinned.message}); whether the progress toot can be pinned is unverifiable.`);
  }
  if (pinned.value >= PIN_LIMIT) {
    return fail(name, `The account already has ${pinned.value} pinned posts, the most Mastodon allows; the progress toot could not be pinned.`, 'Unpin one before the day (on the profile: ⋯ → Vom Profil lösen).');
  }
  return ok(name, `${PIN_LIMIT - pinned.value} of ${PIN_LIMIT} pin slots are free for the progress toot; read:statuses works.`);
}

/** Editing the progress toot needs Mastodon 3.5 or newer. */
export function versionCheck(facts: InstanceFacts, url: string): CheckResult {
  const parsed = parseVersion(facts.version);
  const need = `${EDIT_SINCE[0]}.${EDIT_SINCE[1]}`;
  if (!parsed) return warn('instance-version', `${url} reports version "${facts.version}", which Herold cannot read; editing support is unverifiable.`);
  if (parsed.compatible) {
    return warn('instance-version', `${url} runs ${parsed.compatible} (reports Mastodon ${facts.version.split(' ')[0]}); whether it supports editing statuses is unverifiable.`, 'Try an edit by hand before the day.');
  }
  if (!supportsEditing(parsed)) {
    return fail('instance-version', `${url} runs Mastodon ${facts.version}; editing the progress toot needs ${need} or newer.`, `Upgrade the instance to Mastodon ${need}+ before the maintenance.`);
  }
  return ok('instance-version', `Mastodon ${facts.version} supports editing (since ${need}).`);
}

/**
 * Questions arrive as mentions, often private ones. A policy that filters
 * private mentions hides them from Herold (they never reach the notification list).
 */
export async function notificationPolicyCheck(probe: InstanceProbe): Promise<CheckResult> {
  const name = 'notification-policy';
  const policy = await probe.notificationPolicy();
  if (!policy.ok) {
    if (policy.status === 404) return ok(name, 'This Mastodon has no notification policy (before 4.3): private mentions are not filtered.');
    return warn(name, `Cannot read the notification policy (${policy.status ?? 'no answer'}: ${policy.message}); unverifiable.`);
  }
  const { forPrivateMentions, forNotFollowing } = policy.value;
  const fix = 'In Mastodon under Benachrichtigungen → Filter, accept private mentions (and people you don\'t follow); or PATCH /api/v2/notifications/policy with for_private_mentions=accept.';
  const problems: string[] = [];
  if (forPrivateMentions !== 'accept') problems.push(`private mentions from accounts it does not follow are ${forPrivateMentions === 'drop' ? 'dropped' : 'filtered'}`);
  if (forNotFollowing !== 'accept') problems.push(`mentions from accounts it does not follow are ${forNotFollowing === 'drop' ? 'dropped' : 'filtered'}`);
  if (problems.length > 0) return warn(name, `The account's notification policy hides questions: ${problems.join('; ')}.`, fix);
  return ok(name, 'Private mentions and mentions from strangers reach Herold (policy: accept).');
}
