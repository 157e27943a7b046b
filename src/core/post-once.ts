import { MastodonRateLimitedError, MastodonRejectedError, PostOutcomeUnknownError } from '../errors.ts';
import { retry, type JobNotYet } from './job-outcome.ts';
import { systemClock } from './ports/clock.ts';
import type { MastodonAccount, PostedStatus, PostParams } from './ports/mastodon-account.ts';
import type { PostAttempts } from './ports/post-attempts.ts';

export interface PostOnceOptions {
  readonly attempts: PostAttempts;
  /** How long after Herold gave up on a POST the instance may still commit it (default: the request timeout). */
  readonly settleMs: number;
  /** The request timeout: a worker killed mid-POST leaves a marker that settles after timeout + settleMs. */
  readonly requestTimeoutMs: number;
  /** Real epoch ms, which the markers count in (the injected clock's `realNowMs`). */
  readonly realNowMs: () => number;
}

/** Posted now or found on the server; or not yet (an earlier POST may still commit, or its status was claimed a moment ago). */
export type PostOnceResult =
  | {
      readonly kind: 'posted';
      readonly status: PostedStatus;
      /** True when the status was found on the server (an earlier POST had created it) instead of posted now. */
      readonly adopted: boolean;
    }
  | JobNotYet;

/** What the lookup for an earlier, unrecorded POST found: its status, none, or not yet knowable. */
export type EarlierPost = { readonly kind: 'found'; readonly status: PostedStatus } | { readonly kind: 'none' } | JobNotYet;

/**
 * Posts a status at most once, without trusting the Idempotency-Key alone.
 *
 * Exactly once takes four layers: the stable BullMQ job id; the status id
 * recorded in Redis before the job completes (the caller does that, then
 * `forget`s the marker); the Idempotency-Key (Mastodon holds a lock per key
 * while a POST runs, so a repeat during a slow commit gets 503; a repeat
 * within the hour returns the original up to 4.5 and HTTP 500 from 4.6.0;
 * after the hour it posts again); and this lookup: a marker is written before
 * every POST, and a POST whose answer Herold did not see (timeout, dropped
 * connection, 5xx, a crash) leaves it behind. Before posting again Herold
 * looks on the server (the thread of the status answered, the account's own
 * recent statuses) for a status with the same reply target, visibility and
 * one of the texts sent, that no other toot has claimed (two reminders may
 * read the same), and adopts it. It posts again only when the server
 * shows none, and not before the earlier attempt can no longer commit.
 *
 * Windows that remain (docs/replicas-and-redis.md, "Exactly once"):
 * - A status the lookup cannot see: deleted in the meantime, or more than
 *   200 of the account's statuses newer than it. Then Herold posts again.
 * - A server that commits an earlier POST later than `settleMs` after Herold
 *   gave up on it and after the lookup, more than an hour after the first
 *   POST (inside the hour the key's lock or record stops the repeat).
 * - Redis losing the marker (no AOF, or the last second of writes before a
 *   crash with appendfsync everysec) together with a lost answer.
 */
export async function postOnce(account: MastodonAccount, params: PostParams, options: PostOnceOptions): Promise<PostOnceResult> {
  const { attempts, realNowMs } = options;
  const key = params.idempotencyKey;
  const earlier = await attempts.get(key);
  const found = await findEarlierPost(account, params, options);
  if (found.kind === 'found') return { kind: 'posted', status: found.status, adopted: true };
  if (found.kind !== 'none') return found;
  const sentAt = realNowMs();
  await attempts.begin(key, params.text, sentAt, sentAt + options.requestTimeoutMs + options.settleMs);
  try {
    const status = await account.post(params);
    await attempts.claim(status.id, key);
    return { kind: 'posted', status, adopted: false };
  } catch (error) {
    if (error instanceof PostOutcomeUnknownError) {
      if (error.outcome.notSent && !earlier) await attempts.forget(key);
      else await attempts.settle(key, error.outcome.mayStillCommit ? realNowMs() + options.settleMs : realNowMs());
    } else if (error instanceof MastodonRejectedError || error instanceof MastodonRateLimitedError) {
      // Refused with an answer (or not sent for the rate limit): this POST created nothing.
      if (earlier) await attempts.settle(key, earlier.settleAt);
      else await attempts.forget(key);
    } else {
      await attempts.settle(key, realNowMs());
    }
    throw error;
  }
}

/**
 * The status an earlier, unrecorded POST under this Idempotency-Key created,
 * or none when there was no such POST or the server shows none. While that
 * POST may still commit, the job waits until it no longer can; a status
 * another toot claimed a moment ago makes it retry.
 */
export async function findEarlierPost(
  account: MastodonAccount,
  params: Pick<PostParams, 'idempotencyKey' | 'inReplyToId' | 'visibility'>,
  options: Pick<PostOnceOptions, 'attempts' | 'realNowMs'>,
): Promise<EarlierPost> {
  const { attempts } = options;
  const earlier = await attempts.get(params.idempotencyKey);
  if (!earlier) return { kind: 'none' };
  const key = params.idempotencyKey;
  const isTaken = (statusId: string) => attempts.takenByOther(statusId, key);
  for (const text of earlier.texts) {
    const found = await account.findOwnStatus({ text, inReplyToId: params.inReplyToId ?? null, visibility: params.visibility, since: earlier.firstAt, isTaken });
    if (found && (await attempts.claim(found.id, key))) return { kind: 'found', status: found };
    if (found) return retry(`The status found for ${key} was claimed by another toot a moment ago; looking again.`);
  }
  if (options.realNowMs() < earlier.settleAt) {
    return {
      kind: 'wait',
      untilMs: earlier.settleAt,
      logLevel: 'warn',
      reason: `An earlier attempt to post ${params.idempotencyKey} on the ${account.role} account may still be committed by the instance; Herold looks again after ${new Date(earlier.settleAt).toISOString()} before posting.`,
    };
  }
  return { kind: 'none' };
}

/** The options every process uses: settle for as long as a request may take. */
export function postOnceOptions(attempts: PostAttempts, requestTimeoutMs: number, realNowMs: () => number = systemClock.realNowMs): PostOnceOptions {
  return { attempts, settleMs: requestTimeoutMs, requestTimeoutMs, realNowMs };
}
