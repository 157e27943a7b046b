/** How many live-update streams may be open at once. */
export interface LiveLimitOptions {
  /** All clients together (HEROLD_LIVE_MAX). */
  readonly max: number;
  /** One address (HEROLD_LIVE_MAX_PER_IP); people behind one NAT share it. */
  readonly maxPerIp: number;
}

export const DEFAULT_LIVE_LIMITS: LiveLimitOptions = { max: 1000, maxPerIp: 20 };

export type LiveAdmission = { readonly ok: true; readonly release: () => void } | { readonly ok: false; readonly reason: 'total' | 'ip' };

/**
 * Counts open live-update streams, in total and per client address. Each
 * stream holds a socket, a keepalive timer and a listener; without a cap a
 * few thousand idle connections take hundreds of MB.
 */
export class LiveLimits {
  private total = 0;
  private readonly perIp = new Map<string, number>();

  constructor(readonly options: LiveLimitOptions = DEFAULT_LIVE_LIMITS) {}

  get open(): number {
    return this.total;
  }

  /** Takes a slot for `ip`; `release` gives it back (once, however often it is called). */
  admit(ip: string): LiveAdmission {
    if (this.total >= this.options.max) return { ok: false, reason: 'total' };
    const mine = this.perIp.get(ip) ?? 0;
    if (mine >= this.options.maxPerIp) return { ok: false, reason: 'ip' };
    this.total += 1;
    this.perIp.set(ip, mine + 1);
    let released = false;
    return {
      ok: true,
      release: () => {
        if (released) return;
        released = true;
        this.total -= 1;
        const left = (this.perIp.get(ip) ?? 1) - 1;
        if (left <= 0) this.perIp.delete(ip);
        else this.perIp.set(ip, left);
      },
    };
  }
}
