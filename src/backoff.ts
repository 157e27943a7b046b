/**
 * The one back-off formula: `baseMs` doubled `step` times (at most
 * `maxDoublings` times), capped at `maxMs`. Step 0 is `baseMs`. Pure.
 */
export function cappedBackoffMs(baseMs: number, step: number, maxMs: number, maxDoublings = 10): number {
  return Math.min(maxMs, baseMs * 2 ** Math.min(step, maxDoublings));
}

/** ±20 % jitter, so that processes retrying together spread out. */
export function jittered(ms: number, random: () => number = Math.random): number {
  return ms * (0.8 + random() * 0.4);
}
