import { describe, expect, it } from 'vitest';
import { compareIds } from '../../src/sandbox/ids.ts';
import { countableLength, extractEntities, renderContent } from '../../src/sandbox/text.ts';

const context = {
  domain: 'wien.rocks',
  resolveMention: (username: string, domain: string | null) =>
    username === 'b2c' && (domain === null || domain === 'wien.rocks')
      ? { username: 'b2c', url: 'https://wien.rocks/@b2c' }
      : undefined,
};

describe('countableLength (StatusLengthValidator)', () => {
  it('counts grapheme clusters, not UTF-16 code units', () => {
    expect(countableLength('Wien 🇦🇹')).toBe(6);
    expect(countableLength('👩‍👩‍👧‍👦')).toBe(1);
    expect(countableLength('é')).toBe(1);
  });

  it('counts every http(s) URL as 23 characters', () => {
    expect(countableLength('https://example.com')).toBe(23);
    expect(countableLength(`see https://example.com/${'a'.repeat(200)} now`)).toBe(4 + 23 + 4);
    // Without a scheme there is no concession.
    expect(countableLength('example.com/abc')).toBe(15);
  });

  it('counts a remote mention as its local part and adds the content warning', () => {
    expect(countableLength('@admin@mastodon.example hi')).toBe('@admin hi'.length);
    expect(countableLength('hello', 'CW')).toBe(7);
    expect(countableLength('  hello  ', ' CW ')).toBe(7);
  });
});

describe('renderContent (TextFormatter)', () => {
  it('escapes text and turns blank lines into paragraphs and newlines into <br />', () => {
    expect(renderContent('a < b & "c"\nnext line\n\nsecond', context)).toBe(
      '<p>a &lt; b &amp; &quot;c&quot;<br />next line</p><p>second</p>',
    );
  });

  it('links URLs, known mentions and hashtags, and leaves unknown mentions as text', () => {
    const html = renderContent('@b2c @nobody@else.example #Wartung https://status.wien.rocks/', context);
    expect(html).toContain('<span class="h-card" translate="no"><a href="https://wien.rocks/@b2c" class="u-url mention">@<span>b2c</span></a></span>');
    expect(html).toContain('@nobody@else.example');
    expect(html).toContain('<a href="https://wien.rocks/tags/Wartung" class="mention hashtag" rel="tag">#<span>Wartung</span></a>');
    expect(html).toContain('<a href="https://status.wien.rocks/" target="_blank" rel="nofollow noopener" translate="no">');
  });

  it('keeps trailing punctuation out of links', () => {
    const [entity] = extractEntities('Details: https://wien.rocks/about.');
    expect(entity).toMatchObject({ kind: 'url', url: 'https://wien.rocks/about' });
  });

  it('renders nothing for blank text', () => {
    expect(renderContent('  \n ', context)).toBe('');
  });
});

describe('compareIds', () => {
  it('orders ids numerically across digit boundaries', () => {
    expect(compareIds('99999', '100000')).toBe(-1);
    expect(['100001', '99999', '100000'].sort(compareIds)).toEqual(['99999', '100000', '100001']);
  });
});
