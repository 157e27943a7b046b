import { timingSafeEqual } from 'node:crypto';

/** Constant-time comparison, so a token cannot be guessed byte by byte. */
export function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
