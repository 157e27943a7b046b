import { describe, expect, test } from 'vitest';
import { loadConfig } from '../../src/config/config.ts';
import { ConfigError } from '../../src/errors.ts';

const base = { MASTODON_URL: 'https://wien.rocks', MASTODON_ACCESS_TOKEN: 't' };

describe('HEROLD_ADMIN_USER and HEROLD_ADMIN_PASSWORD', () => {
  test('unset or empty: no dashboard', () => {
    expect(loadConfig(base).admin).toBeNull();
    expect(loadConfig({ ...base, HEROLD_ADMIN_USER: '', HEROLD_ADMIN_PASSWORD: '' }).admin).toBeNull();
  });

  test('both set: the dashboard credentials', () => {
    expect(loadConfig({ ...base, HEROLD_ADMIN_USER: 'paula', HEROLD_ADMIN_PASSWORD: '0123456789abcdef' }).admin).toEqual({ user: 'paula', password: '0123456789abcdef' });
  });

  test('one without the other, a short password or a colon in the user are refused', () => {
    const error = (env: Record<string, string>) => {
      try {
        loadConfig({ ...base, ...env });
      } catch (e) {
        return e as ConfigError;
      }
      throw new Error('expected a ConfigError');
    };
    expect(error({ HEROLD_ADMIN_USER: 'paula' }).variable).toBe('HEROLD_ADMIN_PASSWORD');
    expect(error({ HEROLD_ADMIN_PASSWORD: '0123456789abcdef' }).variable).toBe('HEROLD_ADMIN_USER');
    expect(error({ HEROLD_ADMIN_USER: 'paula', HEROLD_ADMIN_PASSWORD: 'short' }).message).toContain('at least 16 characters');
    expect(error({ HEROLD_ADMIN_USER: 'pa:ula', HEROLD_ADMIN_PASSWORD: '0123456789abcdef' }).variable).toBe('HEROLD_ADMIN_USER');
  });
});
