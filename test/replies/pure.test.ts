import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.ts';
import { extractEntities } from '../../src/render/mastodon-length.ts';
import { initialProgress } from '../../src/schedule/progress.ts';
import { pickSchedule } from '../../src/replies/pick-schedule.ts';
import { htmlToText, questionText } from '../../src/replies/question-text.ts';
import { composeReply, defuseMentions } from '../../src/replies/reply-text.ts';
import { compareIds, filteringSettings, newestId, oldestFirst, triage } from '../../src/replies/triage.ts';
import type { IncomingNotification } from '../../src/replies/types.ts';
import { rebasedWienRocks } from '../support/harness.ts';

const mentionHtml =
  '<p><span class="h-card" translate="no"><a href="https://wien.rocks/@b2c" class="u-url mention">@<span>b2c</span></a></span> Wie lange dauert das &amp; wann ist&#39;s vorbei?</p><p>Zweite Zeile<br />dritte &lt;3 &#x1F600;</p>';

describe('question text', () => {
  it('turns status HTML into plain text with paragraphs and line breaks', () => {
    expect(htmlToText(mentionHtml)).toBe("@b2c Wie lange dauert das & wann ist's vorbei?\n\nZweite Zeile\ndritte <3 😀");
  });

  it('keeps the text of shortened links', () => {
    const html =
      '<p>Siehe <a href="https://status.wien.rocks/incidents/42" rel="nofollow noopener" target="_blank"><span class="invisible">https://</span><span class="ellipsis">status.wien.rocks/incidents/4</span><span class="invisible">2</span></a></p>';
    expect(htmlToText(html)).toBe('Siehe https://status.wien.rocks/incidents/42');
  });

  it('drops the leading mentions (local and remote) and mentions of the bot, keeps others', () => {
    expect(questionText({ content: '<p>@b2c @paula@chaos.social, wann startet der Umzug?</p>' }, 'b2c')).toBe('wann startet der Umzug?');
    expect(questionText({ content: '<p>Frage an @b2c@wien.rocks: ist @paula zuständig?</p>' }, 'b2c')).toBe('Frage an : ist @paula zuständig?');
    expect(questionText({ content: '<p>@b2c mail an paula@wien.rocks?</p>' }, 'b2c')).toBe('mail an paula@wien.rocks?');
  });

  it('includes the content warning, which may hold the question', () => {
    expect(questionText({ content: '<p>@b2c bitte</p>', spoilerText: 'Wie lange dauert der Umzug?' }, 'b2c')).toBe('Wie lange dauert der Umzug?\nbitte');
  });
});

describe('reply text', () => {
  it('starts with the asker, full acct for remote users, and mentions nobody else', () => {
    const text = composeReply('anna@chaos.social', 'Fragen gern an @paula oder @team@wien.rocks, Mail an admin@wien.rocks.', 500);
    expect(text.startsWith('@anna@chaos.social ')).toBe(true);
    const mentions = extractEntities(text).filter((e) => e.kind === 'mention');
    expect(mentions).toEqual([expect.objectContaining({ username: 'anna', domain: 'chaos.social', start: 0 })]);
    // Readable, and the e-mail address stays intact.
    expect(text.replaceAll('\u200b', '')).toContain('@paula oder @team@wien.rocks, Mail an admin@wien.rocks.');
    expect(text).toContain('admin@wien.rocks');
  });

  it('defuses every mention a template could produce', () => {
    expect(extractEntities(defuseMentions('@paula, (@x_y) und @a.b@c.d')).filter((e) => e.kind === 'mention')).toEqual([]);
  });

  it('cuts an answer that would not fit, at a word, with an ellipsis', () => {
    const text = composeReply('alice', 'Wort '.repeat(200).trim(), 100);
    expect([...text].length).toBeLessThanOrEqual(100);
    expect(text.endsWith(' …')).toBe(true);
  });

  it('refuses a handle that is not one', () => {
    expect(() => composeReply('alice bob', 'x', 500)).toThrow(/not an account handle/);
    expect(() => composeReply('@alice', 'x', 500)).toThrow(/not an account handle/);
  });
});

describe('triage', () => {
  const base: IncomingNotification = {
    id: '100001',
    type: 'mention',
    createdAt: new Date().toISOString(),
    account: { id: '7', acct: 'alice', bot: false },
    status: { id: '1', content: '<p>@b2c hallo</p>', spoilerText: '', visibility: 'public', url: null },
  };

  it('answers people, never the bot itself, bots, other notification types or old mentions on the first start', () => {
    expect(triage(base, '1')).toEqual({ answer: true });
    expect(triage({ ...base, account: { ...base.account, id: '1' } }, '1')).toMatchObject({ reason: 'own account' });
    expect(triage({ ...base, account: { ...base.account, bot: true } }, '1')).toMatchObject({ reason: 'bot account' });
    expect(triage({ ...base, type: 'follow', status: null }, '1')).toMatchObject({ reason: 'not a mention' });
    expect(triage({ ...base, status: null }, '1')).toMatchObject({ reason: 'no status' });
    expect(triage({ ...base, createdAt: new Date(Date.now() - 7200_000).toISOString() }, '1', Date.now() - 3600_000)).toMatchObject({ reason: 'too old' });
  });

  it('compares ids as numbers across a change in the number of digits', () => {
    expect(compareIds('99999', '100000')).toBe(-1);
    expect('99999' < '100000').toBe(false);
    expect(oldestFirst([{ id: '100001' }, { id: '99998' }, { id: '100000' }]).map((n) => n.id)).toEqual(['99998', '100000', '100001']);
    expect(newestId([{ id: '99999' }, { id: '100000' }])).toBe('100000');
    expect(newestId([])).toBeNull();
    expect(compareIds('117672857325469696', '117672857325469697')).toBe(-1);
  });

  it("names the policy settings that keep questions away (Mastodon 4.3's defaults filter DMs)", () => {
    const defaults = { forNotFollowing: 'accept', forNotFollowers: 'accept', forNewAccounts: 'accept', forPrivateMentions: 'filter', forLimitedAccounts: 'filter' };
    expect(filteringSettings(defaults).map((f) => f.setting)).toEqual(['for_private_mentions']);
    expect(filteringSettings({ ...defaults, forPrivateMentions: 'accept' })).toEqual([]);
    expect(filteringSettings({ ...defaults, forNotFollowing: 'drop' }).map((f) => f.setting)).toEqual(['for_private_mentions', 'for_not_following']);
  });
});

describe('which schedule answers talk about', () => {
  const now = DateTime.now();
  const state = (startInMs: number, phase?: 'running' | 'complete' | 'cancelled') => {
    const schedule = rebasedWienRocks(startInMs);
    const progress = initialProgress(schedule);
    return { schedule, progress: phase ? { ...progress, phase } : progress };
  };

  it('prefers the running window, then the next upcoming, then the most recent', () => {
    const past = state(-30 * 86_400_000, 'complete');
    const next = state(7 * 86_400_000);
    const later = state(14 * 86_400_000);
    const running = state(-60_000, 'running');
    expect(pickSchedule([past, later, next, running], now)).toBe(running);
    expect(pickSchedule([past, later, next], now)).toBe(next);
    expect(pickSchedule([past], now)).toBe(past);
    expect(pickSchedule([], now)).toBeNull();
  });

  it('counts a window that has begun as running even before the start toot is out, but not a cancelled one', () => {
    const begun = state(-1000);
    const cancelled = state(3 * 86_400_000, 'cancelled');
    const past = state(-30 * 86_400_000, 'complete');
    expect(pickSchedule([past, begun], now)).toBe(begun);
    expect(pickSchedule([past, cancelled], now)).toBe(cancelled);
    // A day after a window that never started, its deadline is gone: the next one counts.
    const stale = state(-86_400_000);
    const next = state(7 * 86_400_000);
    expect(pickSchedule([stale, next], now)).toBe(next);
    expect(pickSchedule([stale, past], now)).toBe(stale);
  });
});

describe('configuration', () => {
  const base = { MASTODON_URL: 'https://wien.rocks', MASTODON_ACCESS_TOKEN: 't' };
  it('has replies on by default, with 1 h maximum age and 30 min cooldown', () => {
    expect(loadConfig(base)).toMatchObject({ replies: true, replyMaxAgeMs: 3_600_000, replyCooldownMs: 1_800_000 });
  });
  it('reads the kill switch and the two windows', () => {
    expect(loadConfig({ ...base, HEROLD_REPLIES: 'off' }).replies).toBe(false);
    expect(loadConfig({ ...base, HEROLD_REPLIES: ' OFF ' }).replies).toBe(false);
    expect(loadConfig({ ...base, HEROLD_REPLIES: 'on', HEROLD_REPLY_MAX_AGE_MS: '60000', HEROLD_REPLY_COOLDOWN_MS: '0' })).toMatchObject({ replies: true, replyMaxAgeMs: 60_000, replyCooldownMs: 0 });
    expect(() => loadConfig({ ...base, HEROLD_REPLIES: 'maybe' })).toThrow(/HEROLD_REPLIES must be on or off/);
    expect(() => loadConfig({ ...base, HEROLD_REPLY_COOLDOWN_MS: '-1' })).toThrow(/HEROLD_REPLY_COOLDOWN_MS must not be negative/);
  });
  it('scales the rate-limit periods only when told (a sandbox with --rate-scale)', () => {
    expect(loadConfig(base).rateScale).toBe(1);
    expect(loadConfig({ ...base, HEROLD_RATE_SCALE: '1000' }).rateScale).toBe(1000);
    expect(() => loadConfig({ ...base, HEROLD_RATE_SCALE: '0' })).toThrow(/HEROLD_RATE_SCALE must be greater than 0/);
    expect(() => loadConfig({ ...base, HEROLD_RATE_SCALE: 'fast' })).toThrow(/HEROLD_RATE_SCALE must be a number/);
  });
});
