import { describe, expect, test } from 'vitest';
import { extractEntities } from '../../src/render/mastodon-length.ts';
import { contactUrl } from '../../src/render/contact-url.ts';

describe('contactUrl', () => {
  test('a local handle is a profile on the instance, a remote one on its own server', () => {
    expect(contactUrl('@paula', 'wien.rocks')).toBe('https://wien.rocks/@paula');
    expect(contactUrl('@paula@other.social', 'wien.rocks')).toBe('https://other.social/@paula');
    expect(contactUrl(null, 'wien.rocks')).toBeNull();
  });

  test('Mastodon reads it as a link, not as a mention, and it contains the handle as typed', () => {
    const text = `Eilig? Schreib direkt an ${contactUrl('@paula', 'wien.rocks')}`;
    expect(extractEntities(text).map((entity) => entity.kind)).toEqual(['url']);
    expect(text).toContain('@paula');
    expect(text).not.toContain('\u200b');
  });
});
