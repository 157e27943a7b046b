import { cappedBackoffMs } from '../../backoff.ts';

/**
 * When to try again after failures in a row: `baseMs` after the first,
 * doubling up to `maxMs`; back to zero after a success. Pure: the caller
 * passes the time.
 */
export class RetryClock {
  private failuresInRow = 0;
  private nextAt = 0;

  constructor(
    private readonly baseMs: number,
    private readonly maxMs: number,
  ) {}

  get failures(): number {
    return this.failuresInRow;
  }

  /** Epoch ms before which no attempt is due. */
  get retryAt(): number {
    return this.nextAt;
  }

  due(now: number): boolean {
    return now >= this.nextAt;
  }

  /** Counts a failure; the next attempt waits the back-off. Returns the failures in a row. */
  failed(now: number): number {
    this.failuresInRow += 1;
    this.nextAt = now + cappedBackoffMs(this.baseMs, this.failuresInRow - 1, this.maxMs);
    return this.failuresInRow;
  }

  /** Clears the failures; the next attempt is due at `nextAt` (default at once). Returns the failures it cleared. */
  succeeded(nextAt = 0): number {
    const cleared = this.failuresInRow;
    this.failuresInRow = 0;
    this.nextAt = nextAt;
    return cleared;
  }

  /** Not before `at` (a rate limit's reset; the stream going down), failures unchanged. */
  notBefore(at: number): void {
    this.nextAt = Math.max(this.nextAt, at);
  }

  /** Exactly at `at`, failures unchanged: the instance said when. */
  at(at: number): void {
    this.nextAt = at;
  }
}
