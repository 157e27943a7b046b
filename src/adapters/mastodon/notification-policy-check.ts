import type { Logger } from 'pino';
import { MastodonRejectedError } from '../../errors.ts';
import { filteringSettings } from '../../replies/triage.ts';
import type { NotificationPolicy } from '../../replies/types.ts';
import type { MastoNotifications } from './notifications.ts';

export interface PolicyReport {
  /** Null when the instance has no policy API (before Mastodon 4.3) or the token may not read it. */
  readonly policy: NotificationPolicy | null;
  /** Settings that keep mentions or DMs away from Herold, e.g. ['for_private_mentions']. */
  readonly filtering: readonly string[];
  /** True when --accept-dms changed the policy at this start. */
  readonly changed: boolean;
}

/**
 * Mastodon 4.3 filters private mentions from accounts the bot does not
 * follow by default: such DMs never reach the API or the stream. Says so
 * once, clearly; with `acceptDms` (`herold run --accept-dms`), changes it.
 * Throws what is not the instance refusing (the listener tries again).
 */
export async function checkNotificationPolicy(
  source: Pick<MastoNotifications, 'policy' | 'updatePolicy'>,
  options: { readonly acceptDms: boolean; readonly acct: string; readonly log: Logger },
): Promise<PolicyReport> {
  const { log } = options;
  let policy: NotificationPolicy;
  try {
    policy = await source.policy();
  } catch (error) {
    if (!(error instanceof MastodonRejectedError)) throw error;
    if (error.status === 404) log.info('The instance has no notification policy (Mastodon before 4.3); mentions are not filtered.');
    else log.warn(`Cannot read the notification policy, so Herold cannot tell whether DMs reach it: ${error.message}`);
    return { policy: null, filtering: [], changed: false };
  }
  let changed = false;
  if (options.acceptDms && (policy.forPrivateMentions !== 'accept' || policy.forNotFollowing !== 'accept')) {
    try {
      policy = await source.updatePolicy({ forPrivateMentions: 'accept', forNotFollowing: 'accept' });
      changed = true;
      log.info('--accept-dms: the notification policy now accepts private mentions and mentions from accounts the bot does not follow.');
    } catch (error) {
      if (!(error instanceof MastodonRejectedError)) throw error;
      log.warn(`--accept-dms could not change the notification policy: ${error.message} The token needs the scope write:notifications.`);
    }
  }
  const filtering = filteringSettings(policy);
  if (filtering.length > 0) {
    const what = filtering.map((f) => `${f.setting}: ${f.value} hides ${f.hides}`).join('; ');
    log.warn(
      `The notification policy of @${options.acct} keeps questions from Herold (${what}). Mastodon files these under notification requests, so Herold never sees them and cannot answer. ` +
        'Fix: start once with `herold run --accept-dms` (sets for_private_mentions and for_not_following to accept; the token needs write:notifications), ' +
        'or in the web interface open Notifications → the filter settings and accept private mentions and people you don\'t follow.',
    );
  }
  return { policy, filtering: filtering.map((f) => f.setting), changed };
}
