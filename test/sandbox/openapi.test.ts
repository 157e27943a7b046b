import { setTimeout as sleep } from 'node:timers/promises';
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Sandbox, startSandbox } from '../../src/sandbox/index.ts';
import { api, BOT_TOKEN } from './helpers.ts';
import { OpenApiValidator, SCHEMA_PATH, schemaAvailable } from './openapi-validator.ts';

const STEP_ASIDE = `Mastodon OpenAPI conformance tests step aside: ${SCHEMA_PATH} is absent (CI provides ../shared).`;

interface Exchange {
  /** The schema's path template, e.g. /api/v1/statuses/{id}. */
  readonly template: string;
  readonly method: string;
  readonly status: number;
  readonly body: unknown;
}

if (schemaAvailable) {
  describe('Mastodon OpenAPI conformance', () => {
    let validator: OpenApiValidator;
    let sandbox: Sandbox;
    let botId: string;

    beforeAll(async () => {
      validator = new OpenApiValidator();
      sandbox = await startSandbox({ rateLimit: { limit: 1_000, windowMs: 3_600_000 } });
      sandbox.addAccount({ username: 'alice', token: 'alice-token', bot: true });
      sandbox.addAccount({ username: 'limited', token: 'limited-token', scopes: ['read'] });
      botId = sandbox.account('b2c')?.id ?? '';
    });

    afterAll(async () => {
      await sandbox.close();
    });

    async function exchange(template: string, path: string, init: Parameters<typeof api>[2] = {}): Promise<Exchange> {
      const response = await api(sandbox, path, init);
      return { template, method: init.method ?? 'GET', status: response.status, body: response.body };
    }

    function expectConforms(result: Exchange, expectedStatus: number): void {
      expect(result.status, JSON.stringify(result.body)).toBe(expectedStatus);
      expect(validator.hasResponse(result.template, result.method, result.status)).toBe(true);
      expect(validator.responseErrors(result.template, result.method, result.status, result.body)).toEqual([]);
    }

    it('has teeth: a status without its account or with a bad language code fails', async () => {
      const created = await api(sandbox, '/api/v1/statuses', { method: 'POST', json: { status: 'probe' } });
      const { account: _account, ...headless } = created.body as Record<string, unknown>;
      expect(validator.componentErrors('Status', headless).join()).toContain("'account'");
      const badLanguage = { ...(created.body as object), language: 'deu' };
      expect(validator.componentErrors('Status', badLanguage).join()).toContain('iso-639-1');
      const badAccount = { ...(created.body as object), account: { id: 1 } };
      expect(validator.componentErrors('Status', badAccount)).not.toEqual([]);
    });

    it('accounts: verify_credentials, show, lookup, statuses', async () => {
      expectConforms(await exchange('/api/v1/accounts/verify_credentials', '/api/v1/accounts/verify_credentials'), 200);
      expectConforms(await exchange('/api/v1/accounts/{id}', `/api/v1/accounts/${botId}`), 200);
      expectConforms(await exchange('/api/v1/accounts/lookup', '/api/v1/accounts/lookup?acct=alice'), 200);
      await api(sandbox, '/api/v1/statuses', { method: 'POST', json: { status: 'for the account list' } });
      expectConforms(await exchange('/api/v1/accounts/{id}/statuses', `/api/v1/accounts/${botId}/statuses`), 200);
    });

    it('instance v2 and v1', async () => {
      expectConforms(await exchange('/api/v2/instance', '/api/v2/instance', { token: null }), 200);
      expectConforms(await exchange('/api/v1/instance', '/api/v1/instance', { token: null }), 200);
    });

    it('statuses: create, show, edit, history, source, pin, unpin, delete', async () => {
      const created = await exchange('/api/v1/statuses', '/api/v1/statuses', {
        method: 'POST',
        json: {
          status: '@alice #Wartung ab 22:00, siehe https://status.wien.rocks/incidents/1\n\nDanke!',
          spoiler_text: 'Wartung',
          language: 'de',
          visibility: 'unlisted',
        },
      });
      expectConforms(created, 200);
      const id = (created.body as { id: string }).id;
      expectConforms(await exchange('/api/v1/statuses/{id}', `/api/v1/statuses/${id}`), 200);
      expectConforms(await exchange('/api/v1/statuses/{id}', `/api/v1/statuses/${id}`, { token: null }), 200);
      expectConforms(
        await exchange('/api/v1/statuses/{id}', `/api/v1/statuses/${id}`, {
          method: 'PUT',
          json: { status: 'Wartung beendet', language: 'de' },
        }),
        200,
      );
      expectConforms(await exchange('/api/v1/statuses/{id}/history', `/api/v1/statuses/${id}/history`), 200);
      expectConforms(await exchange('/api/v1/statuses/{id}/source', `/api/v1/statuses/${id}/source`), 200);
      expectConforms(await exchange('/api/v1/statuses/{id}/pin', `/api/v1/statuses/${id}/pin`, { method: 'POST' }), 200);
      expectConforms(await exchange('/api/v1/statuses/{id}/unpin', `/api/v1/statuses/${id}/unpin`, { method: 'POST' }), 200);
      expectConforms(await exchange('/api/v1/statuses/{id}/favourite', `/api/v1/statuses/${id}/favourite`, { method: 'POST' }), 200);
      expectConforms(await exchange('/api/v1/statuses/{id}', `/api/v1/statuses/${id}`, { method: 'DELETE' }), 200);
    });

    it('the JSON body masto sends for a new status matches the documented request', async () => {
      sandbox.clearRequests();
      await api(sandbox, '/api/v1/statuses', {
        method: 'POST',
        json: { status: 'Hallo', visibility: 'public', language: 'de', spoiler_text: '', sensitive: false },
      });
      const [request] = sandbox.requests();
      expect(validator.requestErrors('/api/v1/statuses', 'post', request?.body)).toEqual([]);
    });

    it('notifications: list (mention and follow), show, v2 policy get and patch', async () => {
      sandbox.follow('alice', 'b2c');
      sandbox.mention('alice', 'Wie lange dauert es?', { visibility: 'direct' });
      sandbox.mention('alice', 'Und öffentlich?');
      const list = await exchange('/api/v1/notifications', '/api/v1/notifications?include_filtered=true');
      expectConforms(list, 200);
      expect((list.body as unknown[]).length).toBe(3);
      const [first] = list.body as { id: string }[];
      expectConforms(await exchange('/api/v1/notifications/{id}', `/api/v1/notifications/${first?.id}`), 200);
      expectConforms(await exchange('/api/v2/notifications/policy', '/api/v2/notifications/policy'), 200);
      expectConforms(
        await exchange('/api/v2/notifications/policy', '/api/v2/notifications/policy', {
          method: 'PATCH',
          json: { for_private_mentions: 'accept' },
        }),
        200,
      );
      const v1 = await api(sandbox, '/api/v1/notifications/policy');
      expect(validator.componentErrors('V1NotificationPolicy', v1.body)).toEqual([]);
    });

    it('threads and timelines: context, home, account statuses pinned and paged', async () => {
      const root = await api(sandbox, '/api/v1/statuses', { method: 'POST', json: { status: 'Wartung beginnt' } });
      const rootId = (root.body as { id: string }).id;
      const question = sandbox.mention('alice', 'Wie lange?', { inReplyToId: rootId });
      await api(sandbox, '/api/v1/statuses', { method: 'POST', json: { status: '@alice Zwei Stunden', in_reply_to_id: question.id } });
      expectConforms(await exchange('/api/v1/statuses/{id}/context', `/api/v1/statuses/${question.id}/context`), 200);
      expectConforms(await exchange('/api/v1/statuses/{id}/context', `/api/v1/statuses/${rootId}/context`, { token: null }), 200);
      sandbox.follow('b2c', 'alice');
      const home = await exchange('/api/v1/timelines/home', '/api/v1/timelines/home?limit=5');
      expectConforms(home, 200);
      expect((home.body as unknown[]).length).toBeGreaterThan(0);
      await api(sandbox, `/api/v1/statuses/${rootId}/pin`, { method: 'POST' });
      expectConforms(await exchange('/api/v1/accounts/{id}/statuses', `/api/v1/accounts/${botId}/statuses?pinned=true`), 200);
      expectConforms(
        await exchange('/api/v1/accounts/{id}/statuses', `/api/v1/accounts/${botId}/statuses?exclude_replies=true&max_id=${rootId}&limit=2`),
        200,
      );
    });

    it('streaming: the health check and the user event stream have the documented content types', async () => {
      const health = await fetch(`${sandbox.url}/api/v1/streaming/health`);
      expect(health.status).toBe(200);
      expect(await health.text()).toBe('OK');
      expect(validator.responseContentTypes('/api/v1/streaming/user', 'get', 200)).toEqual(['text/event-stream']);
      const controller = new AbortController();
      const stream = await fetch(`${sandbox.url}/api/v1/streaming/user`, {
        headers: { Authorization: `Bearer ${BOT_TOKEN}` },
        signal: controller.signal,
      });
      expect(stream.status).toBe(200);
      expect(validator.responseContentTypes('/api/v1/streaming/user', 'get', 200)).toContain(stream.headers.get('content-type'));
      controller.abort();
    });

    it('new error bodies: pin limits (422), account state (403), idempotency lock (503)', async () => {
      const status = await api(sandbox, '/api/v1/statuses', { method: 'POST', json: { status: 'zweimal anheften' } });
      const id = (status.body as { id: string }).id;
      await api(sandbox, `/api/v1/statuses/${id}/pin`, { method: 'POST' });
      const twice = await exchange('/api/v1/statuses/{id}/pin', `/api/v1/statuses/${id}/pin`, { method: 'POST' });
      expectConforms(twice, 422);
      expect(twice.body).toEqual({ error: 'Duplicate record' });

      sandbox.setAccountState('pending');
      const pending = await api(sandbox, '/api/v1/accounts/verify_credentials');
      expect(pending.status).toBe(403);
      expect(validator.componentErrors('Error', pending.body)).toEqual([]);
      sandbox.setAccountState('active');

      sandbox.setFault({ kind: 'slow-commit', delayMs: 300, times: 1 });
      const keyed = { method: 'POST', json: { status: 'langsam' }, headers: { 'Idempotency-Key': 'openapi-503' } };
      const slow = api(sandbox, '/api/v1/statuses', keyed);
      await sleep(50);
      expectConforms(await exchange('/api/v1/statuses', '/api/v1/statuses', keyed), 503);
      expect((await slow).status).toBe(200);
    });

    it('error bodies: 401, 403, 404, 422, 429', async () => {
      expectConforms(
        await exchange('/api/v1/accounts/verify_credentials', '/api/v1/accounts/verify_credentials', { token: 'nope' }),
        401,
      );
      const forbidden = await api(sandbox, '/api/v1/statuses', { method: 'POST', token: 'limited-token', json: { status: 'x' } });
      expect(forbidden.status).toBe(403);
      expect(validator.componentErrors('Error', forbidden.body)).toEqual([]);
      expectConforms(await exchange('/api/v1/statuses/{id}', '/api/v1/statuses/123'), 404);
      expectConforms(
        await exchange('/api/v1/statuses', '/api/v1/statuses', { method: 'POST', json: { status: 'x'.repeat(501) } }),
        422,
      );
      sandbox.setRateLimit({ limit: 0, windowMs: 3_600_000 });
      expectConforms(await exchange('/api/v1/notifications', '/api/v1/notifications', { token: BOT_TOKEN }), 429);
      sandbox.setRateLimit(null);
    });
  });
} else {
  console.warn(STEP_ASIDE);
  describe('Mastodon OpenAPI conformance', () => {
    it('steps aside because the schema file is absent', () => {
      expect(existsSync(SCHEMA_PATH)).toBe(false);
      expect(STEP_ASIDE).toContain(SCHEMA_PATH);
    });
  });
}
