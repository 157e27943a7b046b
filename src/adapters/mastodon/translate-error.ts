import { MastoHttpError } from 'masto';
import { HeroldError, MastodonRateLimitedError, MastodonRejectedError, MastodonUnavailableError } from '../../errors.ts';
import { parseReset } from './rate-limit-headers.ts';

export interface TranslateOptions {
  /** e.g. "primary instance https://wien.rocks" */
  readonly where: string;
  /** e.g. "post a status" */
  readonly what: string;
  /** Which scopes to name when the token is refused. */
  readonly scopeHint: string;
  /** Sees the headers of an error response, for rate-limit tracking. */
  readonly observe?: (headers: Headers | undefined) => void;
}

/**
 * The one mapping from masto's errors to Herold's three kinds: 429 → wait
 * until the reset; 400/401/403/404/410/422 → retrying cannot help; anything
 * else, including refused connections, timeouts and HTML error pages (which
 * masto fails to parse, surfacing as a TypeError) → try again later.
 */
export function translateMastoError(error: unknown, { where, what, scopeHint, observe }: TranslateOptions): Error {
  // Already one of Herold's (the rate gate held the request back): nothing to translate.
  if (error instanceof HeroldError) return error;
  if (error instanceof MastoHttpError) {
    const response = error.cause instanceof Response ? error.cause : undefined;
    observe?.(response?.headers);
    const status = error.statusCode;
    if (status === 429) {
      const retryAt = parseReset(response?.headers.get('x-ratelimit-reset') ?? null);
      return new MastodonRateLimitedError(retryAt, `The ${where} rate-limited us while trying to ${what}; waiting until ${new Date(retryAt).toISOString()}.`);
    }
    if ([400, 401, 403, 404, 410, 422].includes(status)) {
      const hint = status === 401 || status === 403 ? ` Check the access token and its scopes: ${scopeHint}.` : '';
      return new MastodonRejectedError(status, `The ${where} refused to ${what} (HTTP ${status}): ${error.message}.${hint}`, { cause: error });
    }
    return new MastodonUnavailableError(`The ${where} answered HTTP ${status} while trying to ${what}; retrying.`, { cause: error });
  }
  const reason = error instanceof Error ? error.message : String(error);
  return new MastodonUnavailableError(`The ${where} did not answer while trying to ${what} (${reason}); retrying.`, { cause: error });
}
