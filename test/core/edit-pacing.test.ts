import { expect, test } from 'vitest';
import { editIntervalMs } from '../../src/core/edit-pacing.ts';

const H = 3_600_000;

test.each([
  // limit, remaining, reserve, ms until reset → interval (floor 3000)
  ['a full budget: the floor', 300, 300, 10, 3 * H, 3000],
  ['a third used: still the floor', 300, 200, 10, 3 * H, 3000],
  ['half the spare used: still the floor', 300, 155, 10, 2 * H, 3000],
  ['three quarters of the spare used: half the even pace', 300, 82.5, 10, 2 * H, 49655],
  ['nearly spent: almost the even pace over the rest of the window', 300, 12, 10, H, 1_775_172],
  ['nothing spare: wait for the reset', 300, 10, 10, H, H],
  ['less than the reserve left: wait for the reset', 300, 4, 10, 1000, 3000],
  ['the reset is near: never below the floor', 300, 20, 10, 500, 3000],
])('%s', (_, limit, remaining, reserve, msUntilReset, expected) => {
  expect(editIntervalMs(3000, { limit, remaining, reserve, msUntilReset })).toBe(expected);
});

test('the interval only grows as the budget shrinks', () => {
  let last = 0;
  for (let remaining = 300; remaining >= 0; remaining -= 1) {
    const interval = editIntervalMs(3000, { limit: 300, remaining, reserve: 10, msUntilReset: 2 * H });
    expect(interval).toBeGreaterThanOrEqual(last);
    last = interval;
  }
  expect(last).toBe(2 * H);
});
