import { describe, expect, test } from 'vitest';
import { countableLength, extractEntities, graphemeCount, URL_PLACEHOLDER_CHARS } from '../../src/render/mastodon-length.ts';

describe('countableLength: grapheme clusters', () => {
  test.each([
    ['', 0],
    ['a', 1],
    ['Hallo', 5],
    ['Jänner', 6],
    ['Grüße aus Wien', 14],
    // combining marks belong to the letter before them
    ['J\u0061\u0308nner', 6],
    ['e\u0301', 1],
    ['a\u0300\u0301\u0302', 1],
    // emoji: one each, however many code points
    ['🎉', 1],
    ['👍🏽', 1],
    ['👩‍💻', 1],
    ['👨‍👩‍👧‍👦', 1],
    ['🏳️‍🌈', 1],
    ['🇦🇹', 1],
    ['⚠️', 1],
    ['✅ Backup', 8],
    ['👩🏽‍💻 Technik', 9],
    // UTF-16 length would say otherwise
    ['𝔚𝔦𝔢𝔫', 4],
    // Windows line ending is one grapheme
    ['a\r\nb', 3],
  ])('%j counts %i', (text, expected) => {
    expect(countableLength(text)).toBe(expected);
  });

  test('leading and trailing whitespace is stripped like Mastodon does', () => {
    expect(countableLength('  Hallo  \n\n')).toBe(5);
    expect(countableLength('Hallo\n\nWelt')).toBe(11);
  });
});

describe('countableLength: URLs count 23 whatever their length', () => {
  const long = `https://status.wien.rocks/incidents/${'a'.repeat(300)}`;
  test.each([
    ['https://wien.rocks', URL_PLACEHOLDER_CHARS],
    ['http://x.at', 23],
    ['https://wien.rocks/', 23],
    [long, 23],
    ['https://wien.rocks/@paula/109834?x=1&y=2#top', 23],
    ['Status: https://status.wien.rocks', 8 + 23],
    ['Siehe https://status.wien.rocks.', 6 + 23 + 1],
    ['(https://status.wien.rocks)', 1 + 23 + 1],
    ['https://de.wikipedia.org/wiki/Wien_(Stadt)', 23],
    ['https://a.at und https://b.at', 23 + 5 + 23],
    [`${long} ${long}`, 23 + 1 + 23],
    ['HTTPS://WIEN.ROCKS', 23],
    // A bare scheme is no link.
    ['https://', 8],
  ])('%j counts %i', (text, expected) => {
    expect(countableLength(text)).toBe(expected);
  });

  test('bare domains without a scheme count literally', () => {
    expect(countableLength('wien.rocks')).toBe(10);
    expect(countableLength('www.wien.rocks')).toBe(14);
    expect(countableLength('status.wien.rocks/incidents')).toBe(27);
    expect(countableLength('Wir ziehen um: wien.rocks ist kurz offline.')).toBe(43);
  });
});

describe('countableLength: mentions and hashtags', () => {
  test.each([
    ['@paula', 6],
    ['@paula@wien.rocks', 6],
    ['@paula@very.long.instance.example.org', 6],
    ['Fragen? Schreibt @paula@wien.rocks an.', 'Fragen? Schreibt @paula an.'.length],
    ['@a@x.y @b@z.w', 5],
    // an e-mail address is no mention (preceded by a word character)
    ['info@wien.rocks', 15],
    // hashtags count as written
    ['#WienRocks', 10],
    ['#Umzug #Mastodon', 16],
  ])('%j counts %i', (text, expected) => {
    expect(countableLength(text)).toBe(expected);
  });
});

describe('countableLength: the content warning counts too', () => {
  test.each([
    ['Text', '', 4],
    ['Text', 'CW', 6],
    ['Text', '  Wartung  ', 11],
    ['https://wien.rocks/lange/adresse', 'Wartung 🚧', 9 + 23],
    ['', 'Nur CW', 6],
  ])('text %j with spoiler %j counts %i', (text, spoiler, expected) => {
    expect(countableLength(text, spoiler)).toBe(expected);
  });
});

describe('extractEntities', () => {
  test('finds URLs, mentions and hashtags in text order', () => {
    const text = 'Hallo @paula@wien.rocks, siehe https://status.wien.rocks/x. #Umzug';
    expect(extractEntities(text)).toEqual([
      { kind: 'mention', start: 6, end: 23, username: 'paula', domain: 'wien.rocks' },
      { kind: 'url', start: 31, end: 58, url: 'https://status.wien.rocks/x' },
      { kind: 'hashtag', start: 60, end: 66, tag: 'Umzug' },
    ]);
  });

  test('a mention inside a URL belongs to the URL', () => {
    expect(extractEntities('https://wien.rocks/@paula')).toEqual([
      { kind: 'url', start: 0, end: 25, url: 'https://wien.rocks/@paula' },
    ]);
    expect(countableLength('https://wien.rocks/@paula')).toBe(23);
  });

  test('a fragment in a URL is no hashtag', () => {
    expect(extractEntities('https://wien.rocks/#about').map((e) => e.kind)).toEqual(['url']);
  });
});

describe('the Mastodon limit of 500', () => {
  test('a toot of 500 graphemes with long URLs and emoji fits, one more does not', () => {
    const url = `https://wien.rocks/${'x'.repeat(200)}`;
    const body = `${url} ${'👩‍💻'.repeat(500 - 24)}`;
    expect(countableLength(body)).toBe(500);
    expect(countableLength(`${body}!`)).toBe(501);
  });
});

describe('graphemeCount: the fast path for lines that need no segmenter', () => {
  const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });
  const segments = (text: string) => [...segmenter.segment(text)].length;
  // The ranges of ONE_CLUSTER_EACH in src/render/mastodon-length.ts, and what surrounds them.
  const ranges: [number, number][] = [[0x20, 0x7e], [0xa0, 0x2ff], [0x2010, 0x2027], [0x2030, 0x205e], [0x20a0, 0x20c0], [0x2100, 0x23ff], [0x2500, 0x27bf], [0x1f300, 0x1f3fa], [0x1f400, 0x1faff]];
  const fastPath = ranges.flatMap(([from, to]) => Array.from({ length: to - from + 1 }, (_, i) => String.fromCodePoint(from + i)));

  test('every character of the fast path is one cluster between letters, doubled and after an emoji, as Intl.Segmenter counts', () => {
    const wrong = fastPath.filter((c) => {
      const text = `a${c}${c}🎉${c}b`;
      return graphemeCount(text) !== segments(text);
    });
    expect(fastPath.length).toBeGreaterThan(3000);
    expect(wrong.map((c) => c.codePointAt(0)!.toString(16))).toEqual([]);
  });

  test('random lines from the fast path, and with a combining mark, a skin tone, a ZWJ or a flag in them, count as Intl.Segmenter does', () => {
    let seed = 12;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const spoilers = ['\u0308', '\u{1f3fd}', '\u200d', '🇦🇹', '\ufe0f', '\u0915\u094d\u0937', '각'];
    for (let i = 0; i < 400; i++) {
      let text = Array.from({ length: 1 + random(60) }, () => fastPath[random(fastPath.length)]).join('');
      if (i % 2 === 1) {
        const at = random(text.length + 1);
        text = text.slice(0, at) + spoilers[random(spoilers.length)] + text.slice(at);
      }
      expect([text, graphemeCount(text)]).toEqual([text, segments(text)]);
    }
  });
});
