import type { RateLimitState } from '../../core/ports/mastodon-account.ts';
import type { RequestCost } from '../../core/rate-budget.ts';
import { readRateLimit } from './rate-limit-headers.ts';
import type { RequestGate } from './request-gate.ts';
import { translateMastoError } from './translate-error.ts';

export interface InstanceCallsOptions {
  /** Names the instance in messages, e.g. "primary instance https://wien.rocks". */
  readonly where: string;
  /** What the token needs, for a 401/403. */
  readonly scopeHint: string;
  /** The account's shared rate budget (Redis); every request asks it first. */
  readonly gate?: RequestGate;
  /** Told about every rate-limit reading. */
  readonly onRateLimit?: (state: RateLimitState) => void;
}

/** A masto `$raw` call: the answer with its headers. */
export type RawRequest<T> = () => Promise<{ headers: Headers; data: T }>;

/**
 * The way every masto request goes out, for posting and for listening alike:
 * through the account's rate gate (when there is one), then the answer's
 * rate-limit headers are read (also those of an error), and masto's errors
 * become Herold's three kinds (src/adapters/mastodon/translate-error.ts).
 */
export class InstanceCalls {
  /** The last rate-limit reading of these calls. */
  lastReading: RateLimitState | null = null;

  constructor(private readonly options: InstanceCallsOptions) {}

  get gated(): boolean {
    return this.options.gate !== undefined;
  }

  async call<T>(what: string, request: RawRequest<T>, cost: RequestCost): Promise<T> {
    const { gate } = this.options;
    try {
      const response = gate ? await gate.send(what, cost, request) : await request();
      this.observe(response.headers);
      return response.data;
    } catch (error) {
      throw translateMastoError(error, {
        where: this.options.where,
        what,
        scopeHint: this.options.scopeHint,
        observe: (headers) => this.observe(headers),
      });
    }
  }

  private observe(headers: Headers | undefined): void {
    const state = headers ? readRateLimit(headers) : null;
    if (!state) return;
    this.lastReading = state;
    this.options.onRateLimit?.(state);
  }
}
