import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { HeroldService } from '../../src/app/herold-service.ts';
import { PostAttempts } from '../../src/adapters/redis/post-attempts.ts';
import { ReplyStore } from '../../src/adapters/redis/reply-store.ts';
import { postKey } from '../../src/schedule/toot-ids.ts';
import type { Schedule } from '../../src/schedule/schedule.ts';
import { rebasedWienRocks, REDIS_URL, rig, waitFor, type Rig } from '../support/harness.ts';
import { nextEvent, sseEvents } from './helpers.ts';

// The operator panel (issue 14) over real HTTP, against a running Herold with
// real Redis and the sandbox: auth, CSRF, the no-JS form flow, the
// confirmation step, questions and the live updates.
const admin = { user: 'einsatz', password: 'korrekt-pferd-batterie-heftklammer' };
const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
const authorization = basic(admin.user, admin.password);

let r: Rig;
let service: HeroldService;
let schedule: Schedule;
let base: string;
let panel: string;
let redis: Redis;

beforeAll(async () => {
  r = await rig({}, { admin });
  schedule = rebasedWienRocks(300);
  service = await r.start([schedule]);
  base = service.httpUrl!;
  panel = `${base}/admin/s/${schedule.id}`;
  redis = new Redis(REDIS_URL);
  await waitFor('start toot', async () => (await service.store.posted(schedule.id, 'start'))?.statusId);
}, 60_000);

afterAll(async () => {
  redis?.disconnect();
  await r?.close();
});

const get = (url: string, headers: Record<string, string> = {}) => fetch(url, { headers: { authorization, ...headers }, redirect: 'manual' });

/** The token the panel's forms carry, read from the page as a browser would. */
async function token(): Promise<string> {
  const html = await (await get(panel)).text();
  return /name="_csrf" value="([^"]+)"/.exec(html)![1]!;
}

function post(path: string, form: Record<string, string>, headers: Record<string, string> = { origin: base }) {
  return fetch(`${base}${path}`, {
    method: 'POST',
    headers: { authorization, 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(form).toString(),
    redirect: 'manual',
  });
}

const taskPath = (taskId: string) => `/admin/s/${schedule.id}/tasks/${taskId}`;
const windowPath = () => `/admin/s/${schedule.id}/window`;
const taskStatus = async (taskId: string) => (await service.operations.status(schedule.id)).tasks.find((t) => t.id === taskId)!;

describe('auth', () => {
  test('every panel route asks for the admin login, and a wrong one is refused', async () => {
    for (const path of ['/admin', `/admin/s/${schedule.id}`, `/admin/s/${schedule.id}/events`]) {
      const none = await fetch(`${base}${path}`, { redirect: 'manual' });
      expect(none.status).toBe(401);
      expect(none.headers.get('www-authenticate')).toMatch(/^Basic realm="Herold"/);
      expect((await get(`${base}${path}`, { authorization: basic(admin.user, 'falsch-falsch-falsch') })).status).toBe(401);
    }
    const change = await fetch(`${base}${taskPath('abschaltung')}`, { method: 'POST', headers: { origin: base, 'content-type': 'application/x-www-form-urlencoded' }, body: 'status=done' });
    expect(change.status).toBe(401);
    expect((await taskStatus('abschaltung')).status).toBe('pending');
  });

  test('/admin leads to the one maintenance; the page is German, private and locked down', async () => {
    const home = await get(`${base}/admin`);
    expect(home.status).toBe(303);
    expect(home.headers.get('location')).toBe(`/admin/s/${schedule.id}`);
    const page = await get(panel);
    expect(page.status).toBe(200);
    expect(page.headers.get('cache-control')).toBe('no-store');
    expect(page.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(page.headers.get('content-security-policy')).toContain("form-action 'self'");
    const html = await page.text();
    expect(html).toContain('<html lang="de">');
    expect(html).toContain('Notizen sind öffentlich');
    expect(html).toContain('öffentlich im Meilenstein-Toot');
    for (const label of ['läuft', 'erledigt', 'fehlgeschlagen', 'übersprungen', 'Verlängern', 'Abschließen …', 'Zurückrollen …', 'Absagen …']) expect(html).toContain(`>${label}</button>`);
    // Everything posted is linked.
    const start = (await service.store.posted(schedule.id, 'start'))!;
    expect(html).toContain(`href="${start.url}"`);
    expect((await get(`${base}/admin/s/nichts-da`)).status).toBe(404);
  });
});

describe('CSRF: a change needs the same origin and the token', () => {
  test.each([
    ['a foreign origin, with the right token', async () => ({ origin: 'https://evil.example', token: await token() })],
    ['the same origin, no token', async () => ({ origin: base, token: null })],
    ['the same origin, a wrong token', async () => ({ origin: base, token: 'x'.repeat(43) })],
    ['no Origin and no Sec-Fetch-Site, with the token', async () => ({ origin: null, token: await token() })],
    ['"Origin: null" from a cross-site page, with the token', async () => ({ origin: 'null', site: 'cross-site', token: await token() })],
  ])('%s: 403, nothing recorded', async (_name, setup) => {
    const { origin, token: t, ...rest } = await setup();
    const headers: Record<string, string> = origin ? { origin } : {};
    if ('site' in rest) headers['sec-fetch-site'] = rest.site as string;
    const res = await post(taskPath('datenuebernahme'), { status: 'done', ...(t ? { _csrf: t } : {}) }, headers);
    expect(res.status).toBe(403);
    expect(await res.text()).toContain('Nicht angenommen');
    expect((await taskStatus('datenuebernahme')).status).toBe('pending');
  });

  test('a cross-site fetch with Sec-Fetch-Site: cross-site and a JSON body is refused too', async () => {
    const res = await fetch(`${base}${taskPath('datenuebernahme')}`, {
      method: 'POST',
      headers: { authorization, 'sec-fetch-site': 'cross-site', 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ status: 'done', _csrf: await token() }),
    });
    expect(res.status).toBe(403);
    expect(((await res.json()) as { error: string }).error).toContain('nur von der eigenen Seite');
    // Same origin, JSON, the token only in the body: the token is not read from JSON.
    const json = await fetch(`${base}${taskPath('datenuebernahme')}`, {
      method: 'POST',
      headers: { authorization, origin: base, 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ status: 'done', _csrf: await token() }),
    });
    expect(json.status).toBe(403);
    expect((await taskStatus('datenuebernahme')).status).toBe('pending');
  });
});

describe('the form flow without JavaScript', () => {
  test('a task tap posts, redirects back, and the page shows the change and a German confirmation', async () => {
    const res = await post(taskPath('abschaltung'), { _csrf: await token(), status: 'running', note: 'Wartungsseite ist aktiv' });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(`/admin/s/${schedule.id}?ok=task&task=abschaltung&status=running`);
    const page = await (await get(`${base}${res.headers.get('location')}`)).text();
    expect(page).toMatch(/id="flash" class="flash ok" role="status">Gespeichert: „[^“]+“ läuft\.</);
    expect(page).toMatch(/id="task-abschaltung" data-status="running"/);
    expect(page).toContain('Notiz: Wartungsseite ist aktiv');
    const state = await taskStatus('abschaltung');
    expect(state.status).toBe('running');
    expect(state.note).toBe('Wartungsseite ist aktiv');
  });

  test('a flash only ever says one of the fixed sentences; text in the query is not shown', async () => {
    const page = await (await get(`${panel}?ok=task&task=%3Cb%3Eboese&status=done`)).text();
    expect(page).toContain('id="flash" class="flash" role="status" hidden');
    expect(page).not.toContain('boese');
  });

  test('a refused change answers with the reason, the page as it is, and changes nothing', async () => {
    const res = await post(taskPath('gibt-es-nicht'), { _csrf: await token(), status: 'done' });
    expect(res.status).toBe(404);
    expect(await res.text()).toContain('Nicht gespeichert: Schedule');
    const bad = await post(taskPath('datenbank'), { _csrf: await token(), status: 'kaputt' });
    expect(bad.status).toBe(409);
    expect(await bad.text()).toContain('Tippe auf läuft, erledigt, fehlgeschlagen oder übersprungen.');
    const link = await post(taskPath('datenbank'), { _csrf: await token(), status: 'done', note: 'siehe https://evil.example/login' });
    expect(link.status).toBe(409);
    expect(await link.text()).toContain('HEROLD_NOTE_URLS');
    expect((await taskStatus('datenbank')).status).toBe('pending');
  });

  test('extend: a later deadline from the form, shown on the page', async () => {
    const later = (await service.operations.status(schedule.id)).deadline.plus({ minutes: 30 }).setZone(schedule.timezone);
    const res = await post(windowPath(), { _csrf: await token(), action: 'extend', deadline: later.toFormat("yyyy-MM-dd'T'HH:mm") });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(`/admin/s/${schedule.id}?ok=extend`);
    expect((await service.operations.status(schedule.id)).deadline.toMillis()).toBe(later.startOf('minute').toMillis());
    const page = await (await get(panel)).text();
    expect(page).toContain(`value="${later.toFormat("yyyy-MM-dd'T'HH:mm")}"`);
  });
});

describe('moving the deadline earlier needs a confirmation step, as the CLI needs --yes', () => {
  test('an earlier deadline first asks, carrying the time through; the yes moves it', async () => {
    const before = (await service.operations.status(schedule.id)).deadline;
    const earlier = before.minus({ minutes: 15 }).setZone(schedule.timezone);
    const input = earlier.toFormat("yyyy-MM-dd'T'HH:mm");
    const asked = await post(windowPath(), { _csrf: await token(), action: 'extend', deadline: input });
    expect(asked.status).toBe(200);
    const html = await asked.text();
    expect(html).toContain('Spätesten Zeitpunkt vorziehen');
    expect(html).toContain(`${earlier.toFormat('dd.MM.yyyy HH:mm')} Uhr liegt vor dem bisherigen spätesten Zeitpunkt (${before.setZone(schedule.timezone).toFormat('dd.MM.yyyy HH:mm')} Uhr)`);
    expect(html).toContain(`name="deadline" value="${input}"`);
    expect(html).toContain('name="action" value="extend"');
    expect((await service.operations.status(schedule.id)).deadline.toMillis()).toBe(before.toMillis());

    const confirmed = await post(windowPath(), { _csrf: await token(), action: 'extend', deadline: input, confirm: 'yes' });
    expect(confirmed.status).toBe(303);
    expect(confirmed.headers.get('location')).toBe(`/admin/s/${schedule.id}?ok=extend`);
    expect((await service.operations.status(schedule.id)).deadline.toMillis()).toBe(earlier.startOf('minute').toMillis());
  });
});

describe('questions that got the fallback answer', () => {
  test('are listed, and "Erledigt" takes one off the list', async () => {
    const replies = new ReplyStore(redis, r.config.prefix);
    await replies.keepQuestion({ notificationId: '9001', statusId: '77', url: 'https://other.example/@anna/77', acct: 'anna@other.example', visibility: 'direct', text: 'Geht mein Konto verloren?', score: 0.1, createdAt: new Date().toISOString() });
    const page = await (await get(panel)).text();
    expect(page).toContain('Geht mein Konto verloren?');
    expect(page).toContain('@anna@other.example (Direktnachricht)');
    expect(page).toContain('Offene Fragen (1)');
    const res = await post(`/admin/s/${schedule.id}/questions/9001/handled`, { _csrf: await token() }, { origin: base, accept: 'application/json' });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true, message: 'Die Frage ist als erledigt markiert.' });
    expect(await replies.openQuestions()).toEqual([]);
    expect(await (await get(panel)).text()).toContain('Keine offenen Fragen.');
  });
});

describe('posts whose answer never came', () => {
  test('are listed as "vielleicht gepostet" until Herold has looked, as herold status lists them', async () => {
    const attempts = new PostAttempts(redis, r.config.prefix);
    const key = postKey(schedule, 'milestone-dns');
    await attempts.begin(key, 'DNS-Text', Date.now(), Date.now() + 60_000);
    try {
      const page = await (await get(panel)).text();
      expect(page).toContain('Vielleicht gepostet (1)');
      expect(page).toMatch(/<li>Meilenstein: DNS[^<]* <small>· seit \d\d:\d\d<\/small><\/li>/);
    } finally {
      await attempts.forget(key);
    }
    expect(await (await get(panel)).text()).not.toContain('Vielleicht gepostet');
  });
});

describe('live updates', () => {
  test('the panel stream pushes the rendered sections, and again after a change made elsewhere', async () => {
    const controller = new AbortController();
    const res = await fetch(`${panel}/events`, { headers: { authorization }, signal: controller.signal });
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const events = sseEvents(res);
    try {
      const first = JSON.parse((await nextEvent(events, 'state')).data) as { sections: Record<string, string> };
      expect(Object.keys(first.sections).sort()).toEqual(['budgets', 'jobs', 'overview', 'questions', 'tasks', 'toots', 'window']);
      expect(first.sections.tasks).toMatch(/id="task-funktionstests" data-status="pending"/);
      // A change through the webhook (another way in) reaches the panel.
      const hook = await fetch(`${base}/api/schedules/${schedule.id}/tasks/funktionstests`, {
        method: 'POST',
        headers: { authorization: `Bearer ${r.config.webhookToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ status: 'failed' }),
      });
      expect(hook.status).toBe(200);
      const next = await nextEvent(events, 'state', 5000, (e) => e.data.includes('id=\\"task-funktionstests\\" data-status=\\"failed\\"'));
      expect(next.data).toContain('fehlgeschlagen');
    } finally {
      controller.abort();
    }
  });
});

describe('declaring the outcome needs a confirmation step', () => {
  test.each(['cancel', 'backout', 'complete'])('%s without confirm=yes shows the question and changes nothing', async (action) => {
    const res = await post(windowPath(), { _csrf: await token(), action });
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('lässt sich nicht zurücknehmen');
    expect(html).toContain('name="confirm" value="yes"');
    expect(html).toContain(`name="action" value="${action}"`);
    expect((await service.operations.status(schedule.id)).phase).toBe('running');
  });

  test('with the confirmation the outcome is declared, the thread gets its toot, and the panel stops offering changes', async () => {
    const csrf = await token();
    const res = await post(windowPath(), { _csrf: csrf, action: 'complete', confirm: 'yes' });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(`/admin/s/${schedule.id}?ok=complete`);
    expect((await service.operations.status(schedule.id)).phase).toBe('complete');
    await waitFor('completion toot', async () => (await service.store.posted(schedule.id, 'complete'))?.statusId);
    const page = await (await get(`${base}${res.headers.get('location')}`)).text();
    expect(page).toContain('Abgeschlossen: der Abschluss-Toot geht gleich raus.');
    expect(page).toContain('Der Ausgang steht fest');
    expect(page).not.toContain('>erledigt</button>');
    // A second declaration is refused with the reason.
    const again = await post(windowPath(), { _csrf: csrf, action: 'backout', confirm: 'yes' });
    expect(again.status).toBe(409);
    expect(await again.text()).toContain('already complete');
  });
});
