import type { mastodon } from 'masto';
import { describe, expect, test } from 'vitest';
import { findOwnStatus, type OwnStatusSources } from '../../../src/adapters/mastodon/own-status-lookup.ts';

const T0 = Date.parse('2026-11-29T10:00:00Z');

interface Fake {
  id: string;
  accountId?: string;
  inReplyToId?: string | null;
  visibility?: mastodon.v1.StatusVisibility;
  createdAt?: number;
  text: string;
}

/** The account's statuses and their sources, served like the API does: newest first, pages of 40. */
function sources(statuses: Fake[], descendants: Record<string, string[]> = {}) {
  const calls: string[] = [];
  const entity = (f: Fake) =>
    ({
      id: f.id,
      account: { id: f.accountId ?? 'me' },
      inReplyToId: f.inReplyToId ?? null,
      visibility: f.visibility ?? 'public',
      createdAt: new Date(f.createdAt ?? T0 + 1000).toISOString(),
      url: `https://wien.rocks/@b2c/${f.id}`,
      uri: null,
    }) as unknown as mastodon.v1.Status;
  const newestFirst = [...statuses].sort((a, b) => Number(b.id) - Number(a.id));
  const from: OwnStatusSources = {
    ownId: 'me',
    async recent(maxId) {
      calls.push(`recent ${maxId ?? ''}`.trim());
      return newestFirst.filter((s) => maxId === null || Number(s.id) < Number(maxId)).slice(0, 40).map(entity);
    },
    async descendants(id) {
      calls.push(`context ${id}`);
      return (descendants[id] ?? []).map((d) => entity(statuses.find((s) => s.id === d)!));
    },
    async source(id) {
      calls.push(`source ${id}`);
      return statuses.find((s) => s.id === id)!.text;
    },
  };
  return { from, calls };
}

describe('finding the status a POST created when its answer was lost', () => {
  test('matches the source text (trimmed as Mastodon stores it), the reply target and the visibility', async () => {
    const { from } = sources([
      { id: '10', text: 'Es geht los!' },
      { id: '11', text: 'Es geht los!', inReplyToId: '5' },
      { id: '12', text: 'Es geht los!', visibility: 'unlisted' },
      { id: '13', text: '  Es geht los!\n' },
    ]);
    expect(await findOwnStatus({ text: 'Es geht los!', inReplyToId: null, visibility: 'public', since: T0 }, from)).toEqual({ id: '10', url: 'https://wien.rocks/@b2c/10' });
    expect((await findOwnStatus({ text: 'Es geht los!', inReplyToId: '5', visibility: 'public', since: T0 }, from))?.id).toBe('11');
    expect(await findOwnStatus({ text: 'Anders', inReplyToId: null, visibility: 'public', since: T0 }, from)).toBeNull();
  });

  test('ignores statuses older than the first attempt (a minute of slack), other accounts and statuses already claimed', async () => {
    const { from } = sources([
      { id: '10', text: 'Erinnerung', createdAt: T0 - 120_000 },
      { id: '11', text: 'Erinnerung', accountId: 'someone' },
      { id: '12', text: 'Erinnerung', createdAt: T0 - 30_000 },
      { id: '13', text: 'Erinnerung' },
    ]);
    const query = { text: 'Erinnerung', inReplyToId: null, visibility: 'public' as const, since: T0 };
    expect((await findOwnStatus(query, from))?.id).toBe('12');
    expect((await findOwnStatus({ ...query, isTaken: async (id) => id === '12' }, from))?.id).toBe('13');
  });

  test('a reply is looked for in the thread first; the pages of own statuses follow until older than the attempt', async () => {
    const many: Fake[] = Array.from({ length: 100 }, (_, i) => ({ id: String(1000 + i), text: `Antwort ${i}`, inReplyToId: 'q', visibility: 'direct' }));
    const { from, calls } = sources(many, { q: ['1003'] });
    expect((await findOwnStatus({ text: 'Antwort 3', inReplyToId: 'q', visibility: 'direct', since: T0 }, from))?.id).toBe('1003');
    expect(calls).toEqual(['context q', 'source 1003']);

    const paged = sources(many);
    expect((await findOwnStatus({ text: 'Antwort 3', inReplyToId: 'q', visibility: 'direct', since: T0 }, paged.from))?.id).toBe('1003');
    expect(paged.calls.filter((c) => c.startsWith('recent'))).toEqual(['recent', 'recent 1060', 'recent 1020']);
  });
});
