import { describe, expect, test } from 'vitest';
import { MastodonRateLimitedError, MastodonRejectedError, MastodonUnavailableError } from '../../src/errors.ts';
import { HeroldMetrics, meteredAccount } from '../../src/adapters/metrics/metrics.ts';
import type { MastodonAccount } from '../../src/core/ports/mastodon-account.ts';
import { metricValue } from './helpers.ts';

function fakeAccount(fail: Error | null = null) {
  const account = {
    role: 'primary' as const,
    rateLimit: { limit: 300, remaining: 299, resetAt: 0 } as MastodonAccount['rateLimit'],
    calls: [] as string[],
    async post(_params: unknown) {
      this.calls.push('post');
      if (fail) throw fail;
      return { id: '1', url: null };
    },
    async edit(_id: string, _text: string, _language: string) {
      this.calls.push('edit');
      if (fail) throw fail;
    },
    async pin(_id: string) {
      return 'pinned' as const;
    },
    async freePinSlots() {
      return 5;
    },
    async findOwnStatus() {
      return null;
    },
    async unpin(_id: string) {},
    async favourite(_id: string) {},
    async verify() {
      return { id: '1', acct: 'b2c' };
    },
    async characterLimit() {
      return 500;
    },
    /** A method the interface does not know (yet): passes through. */
    hello() {
      return `hello from ${this.role}`;
    },
  };
  return account;
}


describe('meteredAccount', () => {
  test('counts posts and edits, passes calls and rate limits through with the right this', async () => {
    const metrics = new HeroldMetrics();
    const account = fakeAccount();
    const metered = meteredAccount(account, metrics);
    await metered.post({ text: 'x', visibility: 'public', language: 'de', idempotencyKey: 'k' });
    await metered.post({ text: 'y', visibility: 'public', language: 'de', idempotencyKey: 'l' });
    await metered.edit('1', 'z', 'de');
    expect(account.calls).toEqual(['post', 'post', 'edit']);
    expect(metered.hello()).toBe('hello from primary');
    account.rateLimit = { limit: 300, remaining: 7, resetAt: 0 };
    expect(metered.rateLimit?.remaining).toBe(7);
    metrics.observe({ accounts: [metered], queueCounts: async () => ({ waiting: 2, delayed: 5 }) });
    metrics.replied();
    const { body } = await metrics.text();
    expect(metricValue(body, 'herold_posts_total{account="primary"}')).toBe(2);
    expect(metricValue(body, 'herold_edits_total{account="primary"}')).toBe(1);
    expect(metricValue(body, 'herold_replies_total')).toBe(1);
    expect(metricValue(body, 'herold_rate_limit_remaining{account="primary"}')).toBe(7);
    expect(metricValue(body, 'herold_rate_limit_limit{account="primary"}')).toBe(300);
    expect(metricValue(body, 'herold_queue_jobs{state="delayed"}')).toBe(5);
    expect(metricValue(body, 'herold_queue_jobs{state="active"}')).toBe(0);
  });

  test('counts failures by reason and rethrows them unchanged', async () => {
    const metrics = new HeroldMetrics();
    for (const error of [new MastodonRejectedError(422, 'no'), new MastodonUnavailableError('down'), new MastodonRateLimitedError(0, 'slow'), new Error('bug')]) {
      const metered = meteredAccount(fakeAccount(error), metrics);
      await expect(metered.post({ text: 'x', visibility: 'public', language: 'de', idempotencyKey: 'k' })).rejects.toBe(error);
    }
    const { body } = await metrics.text();
    for (const reason of ['rejected', 'unavailable', 'rate_limited', 'other']) expect(metricValue(body, `herold_failures_total{account="primary",reason="${reason}"}`)).toBe(1);
    expect(metricValue(body, 'herold_posts_total{account="primary"}')).toBe(0);
  });

  test('each HeroldMetrics has its own registry', async () => {
    const a = new HeroldMetrics();
    const b = new HeroldMetrics();
    a.replied();
    expect(metricValue((await b.text()).body, 'herold_replies_total')).toBe(0);
  });
});
