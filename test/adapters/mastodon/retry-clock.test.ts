import { describe, expect, test } from 'vitest';
import { RetryClock } from '../../../src/adapters/mastodon/retry-clock.ts';

describe('RetryClock', () => {
  test('is due at once before anything happened', () => {
    const clock = new RetryClock(1000, 8000);
    expect(clock.due(0)).toBe(true);
    expect(clock.failures).toBe(0);
  });

  test.each([
    [1, 1000],
    [2, 2000],
    [3, 4000],
    [4, 8000],
    [5, 8000],
  ])('after %i failure(s) in a row waits %i ms, capped', (failures, waitMs) => {
    const clock = new RetryClock(1000, 8000);
    for (let i = 0; i < failures; i += 1) expect(clock.failed(10_000)).toBe(i + 1);
    expect(clock.retryAt).toBe(10_000 + waitMs);
    expect(clock.due(10_000 + waitMs - 1)).toBe(false);
    expect(clock.due(10_000 + waitMs)).toBe(true);
  });

  test('a success clears the failures, says how many it cleared, and sets the next time', () => {
    const clock = new RetryClock(1000, 8000);
    clock.failed(0);
    clock.failed(0);
    expect(clock.succeeded(5000)).toBe(2);
    expect(clock.failures).toBe(0);
    expect(clock.retryAt).toBe(5000);
    expect(clock.succeeded()).toBe(0);
    expect(clock.due(0)).toBe(true);
  });

  test('notBefore only moves the time later; at sets it as told; neither touches the failures', () => {
    const clock = new RetryClock(1000, 8000);
    clock.failed(0);
    clock.notBefore(500);
    expect(clock.retryAt).toBe(1000);
    clock.notBefore(3000);
    expect(clock.retryAt).toBe(3000);
    clock.at(0);
    expect(clock.due(0)).toBe(true);
    expect(clock.failures).toBe(1);
  });
});
