import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { loadSchedule } from '../../src/schedule/load-schedule.ts';
import { fallbackAccountCheck } from '../../src/doctor/fallback-account-check.ts';

const wien = loadSchedule(fileURLToPath(new URL('../../schedules/wien-rocks-2023-02-12.yaml', import.meta.url)));
const without = { ...wien, fallbackAccount: null };
const NAME = 'fallback-account wien-rocks-2023-02-12';

describe('the fallback account the toots name is the one Herold posts to', () => {
  test('the same account (case aside): ok', () => {
    expect(fallbackAccountCheck(wien, { acct: 'WienRocks', url: 'https://mastodon.social' })).toEqual({
      status: 'ok',
      check: NAME,
      message: 'The toots name @wienrocks@mastodon.social, the account Herold posts to during an outage.',
    });
  });

  test('neither: ok, and says what that means', () => {
    expect(fallbackAccountCheck(without, null)).toMatchObject({ status: 'ok', message: expect.stringContaining('posts nowhere else during an outage') });
  });

  test('named in the toots, but no fallback configured: a warning with both ways out', () => {
    const result = fallbackAccountCheck(wien, null);
    expect(result).toMatchObject({ status: 'warn', check: NAME });
    expect(result.message).toBe('The toots tell followers to follow @wienrocks@mastodon.social during the downtime, but Herold has no fallback account to post there.');
    expect(result.fix).toContain('FALLBACK_MASTODON_URL');
  });

  test('configured but not named: a warning that gives the line to add', () => {
    const result = fallbackAccountCheck(without, { acct: 'herold', url: 'https://ausweich.example/' });
    expect(result).toMatchObject({ status: 'warn', fix: 'Add fallbackAccount: "@herold@ausweich.example" to the schedule.' });
  });

  test('two different accounts: a warning naming both', () => {
    const result = fallbackAccountCheck(wien, { acct: 'herold', url: 'https://ausweich.example' });
    expect(result).toMatchObject({ status: 'warn', message: 'The toots name @wienrocks@mastodon.social, but the fallback token belongs to @herold@ausweich.example.' });
  });
});
