import { MastodonRateLimitedError, MastodonRejectedError, MastodonUnavailableError, PostOutcomeUnknownError } from '../errors.ts';
import type { MastodonAccount, PostedStatus, PostParams } from './ports/mastodon-account.ts';
import type { PostAttempts } from './ports/post-attempts.ts';

export interface PostOnceOptions {
  readonly attempts: PostAttempts;
  /** How long after Herold gave up on a POST the instance may still commit it (default: the request timeout). */
  readonly settleMs: number;
  /** The request timeout: a worker killed mid-POST leaves a marker that settles after timeout + settleMs. */
  readonly requestTimeoutMs: number;
}

export interface PostOnceResult {
  readonly status: PostedStatus;
  /** True when the status was found on the server (an earlier POST had created it) instead of posted now. */
  readonly adopted: boolean;
}

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
  const { attempts } = options;
  const key = params.idempotencyKey;
  const earlier = await attempts.get(key);
  const found = await findEarlierPost(account, params, attempts);
  if (found) return { status: found, adopted: true };
  const sentAt = Date.now();
  await attempts.begin(key, params.text, sentAt, sentAt + options.requestTimeoutMs + options.settleMs);
  try {
    const status = await account.post(params);
    await attempts.claim(status.id, key);
    return { status, adopted: false };
  } catch (error) {
    if (error instanceof PostOutcomeUnknownError) {
      if (error.outcome.notSent && !earlier) await attempts.forget(key);
      else await attempts.settle(key, error.outcome.mayStillCommit ? Date.now() + options.settleMs : Date.now());
    } else if (error instanceof MastodonRejectedError || error instanceof MastodonRateLimitedError) {
      // Refused with an answer (or not sent for the rate limit): this POST created nothing.
      if (earlier) await attempts.settle(key, earlier.settleAt);
      else await attempts.forget(key);
    } else {
      await attempts.settle(key, Date.now());
    }
    throw error;
  }
}

/**
 * The status an earlier, unrecorded POST under this Idempotency-Key created,
 * or null when there was no such POST or the server shows none. Throws
 * MastodonUnavailableError while that POST may still commit.
 */
export async function findEarlierPost(
  account: MastodonAccount,
  params: Pick<PostParams, 'idempotencyKey' | 'inReplyToId' | 'visibility'>,
  attempts: PostAttempts,
): Promise<PostedStatus | null> {
  const earlier = await attempts.get(params.idempotencyKey);
  if (!earlier) return null;
  const key = params.idempotencyKey;
  const isTaken = (statusId: string) => attempts.takenByOther(statusId, key);
  for (const text of earlier.texts) {
    const found = await account.findOwnStatus({ text, inReplyToId: params.inReplyToId ?? null, visibility: params.visibility, since: earlier.firstAt, isTaken });
    if (found && (await attempts.claim(found.id, key))) return found;
    if (found) throw new MastodonUnavailableError(`The status found for ${key} was claimed by another toot a moment ago; looking again.`);
  }
  if (Date.now() < earlier.settleAt) {
    throw new MastodonUnavailableError(
      `An earlier attempt to post ${params.idempotencyKey} on the ${account.role} account may still be committed by the instance; Herold looks again after ${new Date(earlier.settleAt).toISOString()} before posting.`,
    );
  }
  return null;
}

/** The options every process uses: settle for as long as a request may take. */
export function postOnceOptions(attempts: PostAttempts, requestTimeoutMs: number): PostOnceOptions {
  return { attempts, settleMs: requestTimeoutMs, requestTimeoutMs };
}
