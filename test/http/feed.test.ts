import { describe, expect, test } from 'vitest';
import { atomFeed, escapeXml, uuidUrn } from '../../src/http/views/atom-feed.ts';
import type { PublicView } from '../../src/http/views/public-view.ts';
import { child, childrenNamed, parseXml } from './helpers.ts';

describe('Atom feed builder', () => {
  test('escapes markup and drops characters XML cannot carry', () => {
    expect(escapeXml(`<a href="x">Tom & Jerry's</a>\u0000\u0007`)).toBe('&lt;a href=&quot;x&quot;&gt;Tom &amp; Jerry&apos;s&lt;/a&gt;');
  });

  test('urn:uuid ids are stable, distinct and look like UUIDs (v5 layout)', () => {
    const a = uuidUrn('a');
    expect(a).toBe(uuidUrn('a'));
    expect(a).not.toBe(uuidUrn('b'));
    expect(a).toMatch(/^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  test('newest entry first; hostile text stays well-formed', () => {
    const view = {
      id: 's',
      instance: 'wien.rocks',
      toots: [
        { id: 'termin', label: 'Ankündigung <b>&</b>', account: 'primary', url: 'https://wien.rocks/@b2c/1?a=1&b=2', at: '2023-02-06T17:00:00Z', atLabel: 'Mo', text: null, updated: '2023-02-06T17:00:00Z' },
        { id: 'start', label: 'Start', account: 'primary', url: null, at: '2023-02-12T14:00:00Z', atLabel: 'So', text: null, updated: '2023-02-12T14:00:00Z' },
      ],
    } as unknown as PublicView;
    const xml = atomFeed([view], { selfUrl: 'https://s.example/feed.atom', pageUrl: 'https://s.example/', feedKey: 'k', now: new Date(0) });
    const feed = parseXml(xml);
    expect(child(feed, 'updated')!.text).toBe('2023-02-12T14:00:00.000Z');
    const entries = childrenNamed(feed, 'entry');
    expect(entries.map((e) => child(e, 'title')!.text)).toEqual(['wien.rocks: Start', 'wien.rocks: Ankündigung <b>&</b>']);
    expect(child(entries[1]!, 'link')!.attributes.href).toBe('https://wien.rocks/@b2c/1?a=1&b=2');
    expect(child(entries[0]!, 'link')).toBeUndefined();
  });

  test("entries carry the toot's text; the progress toot's updated follows its edits", () => {
    const view = {
      id: 's',
      instance: 'wien.rocks',
      toots: [
        { id: 'start', label: 'Start', account: 'primary', url: 'https://wien.rocks/@b2c/3', at: '2023-02-12T14:00:00Z', atLabel: 'So', text: '🚧 Wartung: 3 von 9 erledigt <&>', updated: '2023-02-12T14:40:00Z' },
        { id: 'milestone-upgrade', label: 'Meilenstein', account: 'primary', url: null, at: '2023-02-12T14:20:00Z', atLabel: 'So', text: '✅ Upgrade erledigt', updated: '2023-02-12T14:20:00Z' },
      ],
    } as unknown as PublicView;
    const feed = parseXml(atomFeed([view], { selfUrl: '/feed.atom', pageUrl: '/', feedKey: 'k', now: new Date(0) }));
    expect(child(feed, 'updated')!.text).toBe('2023-02-12T14:40:00.000Z');
    const [progress, milestone] = childrenNamed(feed, 'entry');
    // The edited progress toot comes first: it changed last.
    expect(child(progress!, 'content')!.text).toBe('🚧 Wartung: 3 von 9 erledigt <&>');
    expect(child(progress!, 'published')!.text).toBe('2023-02-12T14:00:00.000Z');
    expect(child(progress!, 'updated')!.text).toBe('2023-02-12T14:40:00.000Z');
    expect(child(milestone!, 'content')!.text).toBe('✅ Upgrade erledigt');
    expect(child(milestone!, 'updated')!.text).toBe(child(milestone!, 'published')!.text);
  });

  test('the test XML parser rejects what is not well-formed', () => {
    expect(() => parseXml('<a><b></a></b>')).toThrow();
    expect(() => parseXml('<a x=1/>')).toThrow();
    expect(() => parseXml('<a>Tom & Jerry</a>')).toThrow();
    expect(() => parseXml('<a/><b/>')).toThrow();
    expect(() => parseXml('<a>')).toThrow();
  });
});
