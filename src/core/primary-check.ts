import type { Logger } from './ports/logger.ts';
import { MastodonRateLimitedError, MastodonRejectedError } from '../errors.ts';
import type { MastodonAccount } from './ports/mastodon-account.ts';
import type { CharacterLimit } from './ports/character-limit.ts';
import { systemClock } from './ports/clock.ts';

export interface PrimaryCheckDeps {
  readonly account: Pick<MastodonAccount, 'verify' | 'characterLimit'>;
  /** MASTODON_URL, for messages. */
  readonly url: string;
  readonly limit: CharacterLimit;
  readonly log: Logger;
  /** How long to wait before try number `attempt` (2, 3, …). */
  readonly retryDelayMs: (attempt: number) => number;
  /** Real epoch ms, to compare with a 429's reset time; default the system clock. */
  readonly realNowMs?: () => number;
}

/** The one message for a token the instance refuses; Herold stops with it. */
export function tokenRefused(url: string, status: number, cause?: unknown): MastodonRejectedError {
  return new MastodonRejectedError(
    status,
    `MASTODON_ACCESS_TOKEN was refused by ${url} (HTTP ${status}). Create a token with the scopes write:statuses, write:accounts (for pinning), read:statuses (to look for a toot whose answer was lost) and read:notifications, and set it in MASTODON_ACCESS_TOKEN.`,
    { cause },
  );
}

const isRefusal = (error: unknown): error is MastodonRejectedError => error instanceof MastodonRejectedError && (error.status === 401 || error.status === 403);

/**
 * Checks the token (verify_credentials) and reads the character limit. Herold
 * starts without an answer and keeps trying in the background; only a definite
 * refusal of the token (401 or 403 from a reachable instance) stops it.
 */
export class PrimaryCheck {
  private attempts = 0;
  private timer: NodeJS.Timeout | null = null;
  private inFlight: Promise<void> | null = null;
  private stopped = false;
  private lastError: unknown = null;
  /** Set once the instance has accepted the token. */
  acct: string | null = null;

  constructor(private readonly deps: PrimaryCheckDeps) {}

  /** One try: true once verified. Throws `tokenRefused` on a 401/403; anything else is logged and false. */
  attempt(): Promise<boolean> {
    const run = this.tryOnce();
    this.inFlight = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  private async tryOnce(): Promise<boolean> {
    const { account, url, limit, log } = this.deps;
    this.attempts += 1;
    try {
      const me = await account.verify();
      await limit.update(await account.characterLimit());
      this.acct = me.acct;
      log.info({ account: me.acct, characterLimit: limit.value, attempts: this.attempts }, `Speaking as @${me.acct} on ${url}.`);
      return true;
    } catch (error) {
      this.lastError = error;
      if (isRefusal(error)) throw tokenRefused(url, error.status, error);
      const reason = (error as Error).message.replace(/; retrying\.$/, '.');
      const next = Math.round(this.delay(error) / 1000);
      const message =
        error instanceof MastodonRejectedError
          ? `${reason} Is MASTODON_URL the instance's address? Herold keeps running and asks again in ${next} s.`
          : `${reason} Herold runs without the instance (status page, webhook, queue and fallback account work), with ${limit.value} characters per toot (${limit.source}), and asks again in ${next} s.`;
      // The first failure loudly, repeats quietly; the recovery is logged by attempt().
      if (this.attempts === 1 || error instanceof MastodonRejectedError) log[error instanceof MastodonRejectedError ? 'error' : 'warn']({ attempt: this.attempts }, message);
      else log.debug({ attempt: this.attempts }, message);
      return false;
    }
  }

  /** Tries again until the instance answers; `onRefused` gets the clear message if it refuses the token. */
  keepTrying(onRefused: (error: MastodonRejectedError) => void): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.attempt().then(
        (ok) => {
          if (!ok) this.keepTrying(onRefused);
        },
        (error: unknown) => {
          if (!this.stopped) onRefused(error as MastodonRejectedError);
        },
      );
    }, this.delay(this.lastError));
  }

  /**
   * No further tries. Resolves once a try under way has ended (so that it does not use the connections
   * after they close), or after `waitMs` at the most: a hanging instance does not hold up a shutdown.
   */
  async stop(waitMs = 2000): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.inFlight, new Promise<void>((resolve) => (timer = setTimeout(resolve, waitMs)))]);
    clearTimeout(timer);
  }

  private delay(error: unknown): number {
    const backoff = this.deps.retryDelayMs(this.attempts + 1);
    // A 429 says when to come back; never sooner.
    return error instanceof MastodonRateLimitedError ? Math.max(backoff, error.retryAt - (this.deps.realNowMs ?? systemClock.realNowMs)()) : backoff;
  }
}
