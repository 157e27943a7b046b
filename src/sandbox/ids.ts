/**
 * Mastodon ids are decimal strings of 64-bit integers. Statuses and accounts
 * use "snowflake" ids (milliseconds << 16 | sequence); notifications use a
 * plain database sequence. Neither sorts correctly as a string once the
 * number of digits changes, so everything here compares them as BigInts.
 */

export function compareIds(a: string, b: string): number {
  const x = BigInt(a);
  const y = BigInt(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

export function isNumericId(value: string): boolean {
  return /^\d{1,19}$/.test(value);
}

/** Snowflake-like ids that stay strictly increasing even if the clock stalls or goes back. */
export class SnowflakeIds {
  private last = 0n;

  constructor(private readonly clock: () => number) {}

  next(): string {
    let id = BigInt(Math.floor(this.clock())) << 16n;
    if (id <= this.last) id = this.last + 1n;
    this.last = id;
    return id.toString();
  }
}

/** A plain sequence, like the bigserial behind Mastodon's notification ids. */
export class SequenceIds {
  private current: bigint;

  constructor(first: number) {
    this.current = BigInt(first) - 1n;
  }

  next(): string {
    this.current += 1n;
    return this.current.toString();
  }
}
