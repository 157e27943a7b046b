import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, test } from 'vitest';
import { PrimaryCheck } from '../../src/core/primary-check.ts';
import type { CharacterLimit } from '../../src/core/ports/character-limit.ts';
import { MastodonUnavailableError } from '../../src/errors.ts';

const silent = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined } as never;

/** A limit that records when the check wrote to it (what would be a Redis write after close). */
function recordingLimit() {
  const writes: number[] = [];
  const limit: CharacterLimit = { value: 500, source: 'default', update: async (value) => void writes.push(value) };
  return { limit, writes };
}

/** An account whose verify_credentials answers after `ms` (or never, with Infinity). */
function slowAccount(ms: number, outcome: 'ok' | 'down' = 'ok') {
  return {
    verify: async () => {
      if (ms === Infinity) return new Promise<never>(() => undefined);
      await sleep(ms);
      if (outcome === 'down') throw new MastodonUnavailableError('The instance does not answer.');
      return { id: '1', acct: 'b2c' };
    },
    characterLimit: async () => 640,
  };
}

describe('PrimaryCheck.stop', () => {
  test('waits for a try under way, so that it does not write after the service closed its connections', async () => {
    const { limit, writes } = recordingLimit();
    const check = new PrimaryCheck({ account: slowAccount(150), url: 'https://wien.rocks', limit, log: silent, retryDelayMs: () => 10 });
    const tried = check.attempt();
    await check.stop();
    expect(writes).toEqual([640]);
    await expect(tried).resolves.toBe(true);
  });

  test('a try started by keepTrying is waited for too, and no further try starts', async () => {
    const { limit } = recordingLimit();
    let tries = 0;
    const account = { ...slowAccount(100, 'down'), verify: async () => (tries++, slowAccount(100, 'down').verify()) };
    const check = new PrimaryCheck({ account, url: 'https://wien.rocks', limit, log: silent, retryDelayMs: () => 10 });
    await check.attempt();
    check.keepTrying(() => undefined);
    // The second try is under way (it answers after 100 ms).
    while (tries < 2) await sleep(5);
    await check.stop();
    expect(tries).toBe(2);
    await sleep(150);
    expect(tries).toBe(2);
  });

  test('a hanging instance does not hold up a shutdown longer than the wait it is given', async () => {
    const { limit } = recordingLimit();
    const check = new PrimaryCheck({ account: slowAccount(Infinity), url: 'https://wien.rocks', limit, log: silent, retryDelayMs: () => 10 });
    void check.attempt();
    const started = Date.now();
    await check.stop(50);
    expect(Date.now() - started).toBeLessThan(1000);
  });
});
