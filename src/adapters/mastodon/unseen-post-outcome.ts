import { MastoHttpError } from 'masto';
import { PostOutcomeUnknownError, type MastodonUnavailableError } from '../../errors.ts';

/** Connection errors that mean the request never reached the server. */
const NOT_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

/**
 * What a failed POST /api/v1/statuses may have done on the server:
 * - refused connection, unknown host: nothing was sent;
 * - HTTP 500 from Mastodon itself (since 4.6.0 also a repeated
 *   Idempotency-Key): the request has finished there, so a lookup right
 *   away shows whether a status exists;
 * - a timeout, a dropped connection, 502/503/504 from a proxy, anything else:
 *   Mastodon may still be working on it and commit later.
 */
export function unseenPostOutcome(error: MastodonUnavailableError): PostOutcomeUnknownError {
  const http = findCause(error, (e) => e instanceof MastoHttpError) as MastoHttpError | undefined;
  const code = findCause(error, (e) => typeof (e as { code?: unknown }).code === 'string' && NOT_SENT.has((e as { code: string }).code));
  const notSent = !http && code !== undefined;
  const mayStillCommit = !notSent && !(http && http.statusCode === 500);
  const note = notSent ? 'nothing reached the instance' : 'the status may exist on the instance; Herold looks for it before posting again';
  return new PostOutcomeUnknownError(`${error.message.replace(/; retrying\.$/, '')}; ${note}.`, { mayStillCommit, notSent }, { cause: error });
}

function findCause(error: unknown, test: (e: object) => boolean): object | undefined {
  const queue: unknown[] = [error];
  for (let i = 0; i < queue.length && i < 20; i += 1) {
    const e = queue[i];
    if (!e || typeof e !== 'object') continue;
    if (test(e)) return e;
    queue.push((e as { cause?: unknown }).cause);
    const inner = (e as { errors?: unknown }).errors;
    if (Array.isArray(inner)) queue.push(...inner);
  }
  return undefined;
}
