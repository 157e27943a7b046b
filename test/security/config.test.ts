import { describe, expect, test } from 'vitest';
import { loadConfig } from '../../src/config/config.ts';
import { ConfigError } from '../../src/errors.ts';

const base = { MASTODON_URL: 'https://wien.rocks', MASTODON_ACCESS_TOKEN: 't' };

describe('the security settings', () => {
  test('default to the safe side: read-only dashboard, no links in notes, no proxy trusted, capped live updates', () => {
    const config = loadConfig(base);
    expect(config).toMatchObject({ adminWrite: false, noteUrls: false, trustProxy: false, publicUrl: null, liveLimits: { max: 1000, maxPerIp: 20 } });
  });

  test('are read from the environment', () => {
    const config = loadConfig({
      ...base,
      HEROLD_ADMIN_WRITE: 'on',
      HEROLD_NOTE_URLS: 'ON',
      HEROLD_TRUST_PROXY: 'true',
      HEROLD_PUBLIC_URL: 'https://status.wien.rocks/',
      HEROLD_LIVE_MAX: '50',
      HEROLD_LIVE_MAX_PER_IP: '5',
    });
    expect(config).toMatchObject({ adminWrite: true, noteUrls: true, trustProxy: true, publicUrl: 'https://status.wien.rocks', liveLimits: { max: 50, maxPerIp: 5 } });
  });

  test.each([
    ['HEROLD_ADMIN_WRITE', 'yes', 'HEROLD_ADMIN_WRITE must be on or off.'],
    ['HEROLD_PUBLIC_URL', 'status.wien.rocks', 'HEROLD_PUBLIC_URL must be an http(s) URL like https://wien.rocks.'],
    ['HEROLD_LIVE_MAX', 'many', 'HEROLD_LIVE_MAX must be a whole number.'],
  ])('%s=%s is refused with one line naming it', (name, value, message) => {
    expect(() => loadConfig({ ...base, [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ ...base, [name]: value })).toThrow(message);
  });
});
