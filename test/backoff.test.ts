import { describe, expect, test } from 'vitest';
import { cappedBackoffMs, jittered } from '../src/backoff.ts';

describe('cappedBackoffMs', () => {
  test.each([
    // base, step, max, doublings, expected
    [250, 0, 30_000, 16, 250],
    [250, 1, 30_000, 16, 500],
    [250, 6, 30_000, 16, 16_000],
    [250, 7, 30_000, 16, 30_000],
    [1000, -1, 30_000, 10, 500], // a step below 0 halves: the first background retry of the token check
    [1000, 20, 10 ** 9, 10, 1000 * 2 ** 10],
  ])('base %d, step %d, cap %d, %d doublings → %d ms', (base, step, max, doublings, expected) => {
    expect(cappedBackoffMs(base, step, max, doublings)).toBe(expected);
  });
});

describe('jittered', () => {
  test.each([
    [0, 800],
    [0.5, 1000],
    [1, 1200],
  ])('random %d → %d ms of 1000', (random, expected) => {
    expect(jittered(1000, () => random)).toBeCloseTo(expected);
  });
});
