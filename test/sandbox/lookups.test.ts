import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Sandbox, startSandbox } from '../../src/sandbox/index.ts';
import { api, BOT_ALICE_BOB, ids, restClient } from './helpers.ts';

let sandbox: Sandbox;

beforeEach(async () => {
  sandbox = await startSandbox({ accounts: BOT_ALICE_BOB });
});

afterEach(async () => {
  await sandbox.close();
});

describe('GET /api/v1/accounts/:id/statuses', () => {
  it("includes the account's own direct statuses for its own token only", async () => {
    const client = restClient(sandbox);
    const open = await client.v1.statuses.create({ status: 'Öffentlich' });
    const dm = await client.v1.statuses.create({ status: '@alice privat', visibility: 'direct' });
    const me = sandbox.account('b2c')?.id ?? '';
    expect(ids((await api(sandbox, `/api/v1/accounts/${me}/statuses`)).body)).toEqual([dm.id, open.id]);
    expect(ids((await api(sandbox, `/api/v1/accounts/${me}/statuses`, { token: 'alice-token' })).body)).toEqual([dm.id, open.id]);
    expect(ids((await api(sandbox, `/api/v1/accounts/${me}/statuses`, { token: 'bob-token' })).body)).toEqual([open.id]);
    expect(ids((await api(sandbox, `/api/v1/accounts/${me}/statuses`, { token: null })).body)).toEqual([open.id]);
  });

  it('pages with limit, max_id, since_id and min_id, and excludes replies to others', async () => {
    const client = restClient(sandbox);
    const posted: string[] = [];
    for (let i = 0; i < 5; i += 1) posted.push((await client.v1.statuses.create({ status: `Nr. ${i}` })).id);
    const question = sandbox.mention('alice', 'Frage?');
    const reply = await client.v1.statuses.create({ status: '@alice Antwort', inReplyToId: question.id });
    const selfReply = await client.v1.statuses.create({ status: 'Nachtrag', inReplyToId: posted[4] });
    const me = sandbox.account('b2c')?.id ?? '';
    const base = `/api/v1/accounts/${me}/statuses`;
    const first = await api(sandbox, `${base}?limit=2`);
    expect(ids(first.body)).toEqual([selfReply.id, reply.id]);
    expect(first.headers.get('link')).toContain(`max_id=${reply.id}`);
    expect(ids((await api(sandbox, `${base}?limit=2&max_id=${reply.id}`)).body)).toEqual([posted[4], posted[3]]);
    expect(ids((await api(sandbox, `${base}?since_id=${posted[3]}&limit=2`)).body)).toEqual([selfReply.id, reply.id]);
    expect(ids((await api(sandbox, `${base}?min_id=${posted[1]}&limit=2`)).body)).toEqual([posted[3], posted[2]]);
    expect(ids((await api(sandbox, `${base}?exclude_replies=true`)).body)).toEqual([selfReply.id, ...[...posted].reverse()]);
  });
});

describe('GET /api/v1/statuses/:id/context', () => {
  it('lists ancestors oldest first and descendants depth first, hiding what the viewer may not see', async () => {
    const client = restClient(sandbox);
    const root = await client.v1.statuses.create({ status: 'Wartung beginnt' });
    const a = sandbox.mention('alice', 'Wie lange?', { inReplyToId: root.id });
    const answer = await client.v1.statuses.create({ status: '@alice Zwei Stunden', inReplyToId: a.id });
    const b = sandbox.mention('bob', 'Danke!', { inReplyToId: root.id });
    const secret = sandbox.mention('alice', 'psst', { inReplyToId: root.id, visibility: 'direct' });
    const fromAnswer = await api(sandbox, `/api/v1/statuses/${answer.id}/context`);
    expect(fromAnswer.status).toBe(200);
    expect(ids((fromAnswer.body as { ancestors: unknown }).ancestors)).toEqual([root.id, a.id]);
    expect(ids((fromAnswer.body as { descendants: unknown }).descendants)).toEqual([]);
    const fromRoot = (await api(sandbox, `/api/v1/statuses/${root.id}/context`)).body as { ancestors: unknown; descendants: unknown };
    expect(ids(fromRoot.ancestors)).toEqual([]);
    expect(ids(fromRoot.descendants)).toEqual([a.id, answer.id, b.id, secret.id]);
    const asBob = (await api(sandbox, `/api/v1/statuses/${root.id}/context`, { token: 'bob-token' })).body as { descendants: unknown };
    expect(ids(asBob.descendants)).toEqual([a.id, answer.id, b.id]);
    const masto = await restClient(sandbox).v1.statuses.$select(answer.id).context.fetch();
    expect(masto.ancestors.map((s) => s.id)).toEqual([root.id, a.id]);
    expect((await api(sandbox, '/api/v1/statuses/1/context')).status).toBe(404);
  });
});

describe('GET /api/v1/statuses/:id/source', () => {
  it('gives the text unrendered to whoever may see the status (Statuses::BaseController authorizes :show?)', async () => {
    const status = await restClient(sandbox).v1.statuses.create({ status: 'Wartung <b>heute</b> #wien', spoilerText: 'CW' });
    const source = await api(sandbox, `/api/v1/statuses/${status.id}/source`);
    expect(source.body).toEqual({ id: status.id, text: 'Wartung <b>heute</b> #wien', spoiler_text: 'CW' });
    expect((await api(sandbox, `/api/v1/statuses/${status.id}/source`, { token: 'alice-token' })).body).toMatchObject({ text: 'Wartung <b>heute</b> #wien' });
    const dm = await restClient(sandbox).v1.statuses.create({ status: '@alice nur für dich', visibility: 'direct' });
    expect((await api(sandbox, `/api/v1/statuses/${dm.id}/source`, { token: 'alice-token' })).status).toBe(200);
    expect((await api(sandbox, `/api/v1/statuses/${dm.id}/source`, { token: 'bob-token' })).status).toBe(404);
    expect((await api(sandbox, `/api/v1/statuses/${dm.id}/source`, { token: null })).status).toBe(401);
  });
});
