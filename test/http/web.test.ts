import { createHash } from 'node:crypto';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { HeroldService } from '../../src/app/herold-service.ts';
import type { PublicView } from '../../src/http/views/public-view.ts';
import type { Schedule } from '../../src/schedule/schedule.ts';
import { rebasedWienRocks, rig, waitFor, type Rig } from '../support/harness.ts';
import { child, childrenNamed, nextEvent, parseXml, sseEvents } from './helpers.ts';

// One Herold for the whole file: a maintenance under way and one three days ahead.
let r: Rig;
let service: HeroldService;
let base: string;
let running: Schedule;
let later: Schedule;
/** The later maintenance's own templates dir. */
let own: string;
const admin = { user: 'admin', password: 'correct-horse-battery-staple' };
const webhookToken = 'test-webhook-token-0123456789';

beforeAll(async () => {
  r = await rig({}, { admin });
  running = rebasedWienRocks(200);
  // The later one has no FAQ answers of its own: its templates dir holds just its announcement-move toot.
  const seed = rebasedWienRocks(3 * 24 * 3600_000);
  own = mkdtempSync(path.join(tmpdir(), 'herold-web-'));
  copyFileSync(path.join(seed.templateDirs[0]!, 'announcement-move.hbs'), path.join(own, 'announcement-move.hbs'));
  later = { ...seed, templateDirs: [own, ...seed.templateDirs.slice(1)] };
  service = await r.start([running, later]);
  base = service.httpUrl!;
  // The start toot is out: the maintenance runs and the page has a toot to link.
  await waitFor('start toot', async () => (await service.store.posted(running.id, 'start'))?.statusId);
});

afterAll(async () => {
  await r?.close();
  if (own) rmSync(own, { recursive: true, force: true });
});

const get = (path: string, init?: RequestInit) => fetch(base + path, init);
const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

function webhook(scheduleId: string, taskId: string, body: string, headers: Record<string, string> = {}) {
  return fetch(`${base}/api/schedules/${scheduleId}/tasks/${taskId}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${webhookToken}`, 'content-type': 'application/json', ...headers },
    body,
  });
}

describe('probes', () => {
  test('/healthz says ok and /readyz ready while Redis answers and the worker runs', async () => {
    const health = await get('/healthz');
    expect(health.status).toBe(200);
    expect(await health.text()).toBe('ok');
    const ready = await get('/readyz');
    expect(ready.status).toBe(200);
    expect(await ready.text()).toBe('ready');
  });
});

describe('status page', () => {
  test('/ shows the maintenance under way, in German, with the tasks table and the toot links', async () => {
    const res = await get('/');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await res.text();
    expect(html).toContain('<html lang="de">');
    expect(html).toContain(`data-events="/s/${running.id}/events"`);
    expect(html).toContain('data-phase="running">läuft</span>');
    expect(html).toMatch(/<caption[^>]*>Die Schritte im Einzelnen<\/caption>/);
    expect(html).toContain('<th scope="col" class="time"><span class="wide">Geplant</span><span class="narrow">Plan</span></th>');
    expect(html).toContain('<th scope="col">Schritt</th>');
    expect(html).toContain('<th scope="col">Status</th>');
    expect(html).toContain('<th scope="col"><span class="wide">Tatsächlich</span><span class="narrow">Ist</span></th>');
    expect(html.match(/<th scope="row">/g)).toHaveLength(running.tasks.length);
    const start = (await service.store.posted(running.id, 'start'))!;
    expect(html).toContain(`<a href="${start.url}">Start und laufender Fortschritt</a>`);
    // The other maintenance is linked.
    expect(html).toContain(`href="/s/${later.id}"`);
  });

  test('shows the window in the schedule time zone and the FAQ answers rendered with the live state', async () => {
    const html = await (await get(`/s/${later.id}`)).text();
    const start = later.window.start.setZone('Europe/Vienna').setLocale('de-AT');
    expect(html).toContain(start.toFormat("cccc, d. LLLL yyyy, HH:mm 'Uhr'"));
    expect(html).toMatch(/Europe\/Vienna, (MEZ|MESZ)/);
    expect(html).toContain('data-phase="announced">angekündigt</span>');
    expect(html).toContain('<summary>Wann ist die Wartung?</summary>');
    // termin.hbs before the start: the date, from the live state.
    expect(html).toContain(`Die Wartung von wien.rocks beginnt am ${start.toFormat("cccc, d. LLLL yyyy, HH:mm 'Uhr'")}`);
    expect(html).toContain('Noch nichts veröffentlicht.');
  });

  test("shows each maintenance's own FAQ answers: the seed's wien.rocks texts, the generic ones where a schedule has none", async () => {
    const faq = async (id: string) => new Map(((await (await get(`/api/schedules/${id}`)).json()) as PublicView).faq.map((a) => [a.id, a.answer]));
    const seed = await faq(running.id);
    expect(seed.get('infrastruktur')).toContain('ein OpenShift-Cluster (OKD) auf einem Blade-Chassis');
    expect(seed.get('verein')).toContain('Fördermitgliedschaft');
    const plain = await faq(later.id);
    expect(plain.get('infrastruktur')).toBe('Wir ziehen auf neue Infrastruktur in Wien um. Was wir dabei Schritt für Schritt umbauen, steht unter https://status.wien.rocks/. Technische Fragen gern an https://wien.rocks/@paula');
    expect(plain.get('verein')).not.toMatch(/Verein|Fördermitglied/);
    // Answers neither overrides come from the default FAQ for both.
    expect(plain.get('daten')).toBe(seed.get('daten'));
    expect([...plain.keys()]).toEqual([...seed.keys()]);
    const html = await (await get(`/s/${running.id}`)).text();
    expect(html).toContain('OpenShift-Cluster (OKD)');
    expect(await (await get(`/s/${later.id}`)).text()).not.toContain('OpenShift');
  });

  test('is self-contained: inline CSS and script allowed by hash, nothing external', async () => {
    const res = await get(`/s/${running.id}`);
    const csp = res.headers.get('content-security-policy')!;
    const html = await res.text();
    expect(csp).toContain("default-src 'none'");
    const script = /<script>([\s\S]*?)<\/script>/.exec(html)![1]!;
    const style = /<style>([\s\S]*?)<\/style>/.exec(html)![1]!;
    const hash = (text: string) => `'sha256-${createHash('sha256').update(text).digest('base64')}'`;
    expect(csp).toContain(`script-src ${hash(script)}`);
    expect(csp).toContain(`style-src ${hash(style)}`);
    expect(html).not.toMatch(/<script[^>]+src=/);
    expect(html).not.toMatch(/<link[^>]+rel="stylesheet"/);
    expect(html).not.toMatch(/ style="/);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  });

  test('escapes what operators type: a note with markup shows as text', async () => {
    const res = await webhook(running.id, 'datenuebernahme', JSON.stringify({ status: 'running', note: '<img src=x onerror=alert(1)> & mehr' }));
    expect(res.status).toBe(200);
    const html = await (await get(`/s/${running.id}`)).text();
    expect(html).toContain('&lt;img src&#x3D;x onerror&#x3D;alert(1)&gt; &amp; mehr');
    expect(html).not.toContain('<img src=x');
  });

  test('an unknown id gets a German 404 page', async () => {
    const res = await get('/s/gibt-es-nicht');
    expect(res.status).toBe(404);
    const html = await res.text();
    expect(html).toContain('<html lang="de">');
    expect(html).toContain('Seite nicht gefunden');
    const other = await get('/irgendwas');
    expect(other.status).toBe(404);
    expect(await other.text()).toContain('Seite nicht gefunden');
  });
});

describe('JSON API', () => {
  test('/api/schedules lists every maintenance', async () => {
    const res = await get('/api/schedules');
    expect(res.status).toBe(200);
    const body = (await res.json()) as { schedules: PublicView[] };
    expect(body.schedules.map((s) => s.id).sort()).toEqual([running.id, later.id].sort());
  });

  test('/api/schedules/:id is the state of one; unknown ids are a JSON 404', async () => {
    const view = (await (await get(`/api/schedules/${running.id}`)).json()) as PublicView;
    expect(view.phase).toBe('running');
    expect(view.phaseLabel).toBe('läuft');
    expect(view.tasks).toHaveLength(running.tasks.length);
    expect(view.tasks[0]).toMatchObject({ id: 'abschaltung', title: 'Alte Server abschalten' });
    expect(view.toots.some((t) => t.id === 'start' && t.url?.startsWith('https://wien.rocks/'))).toBe(true);
    expect(view.faq.length).toBeGreaterThan(5);
    const missing = await get('/api/schedules/gibt-es-nicht');
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toMatch(/^application\/json/);
    expect(((await missing.json()) as { error: string }).error).toContain('gibt-es-nicht');
  });
});

describe('live updates (SSE)', () => {
  for (const path of ['/s/:id/events', '/api/schedules/:id/events']) {
    test(`${path} pushes the state at once and again after a task change`, async () => {
      const abort = new AbortController();
      const res = await get(path.replace(':id', running.id), { signal: abort.signal });
      try {
        expect(res.status).toBe(200);
        expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
        const events = sseEvents(res);
        const first = JSON.parse((await nextEvent(events, 'state')).data) as PublicView;
        expect(first.id).toBe(running.id);
        const task = path.startsWith('/s/') ? 'datenbank' : 'upgrade';
        expect(first.tasks.find((t) => t.id === task)!.status).not.toBe('done');
        await service.operations.taskChange(running.id, task, 'done');
        const next = await nextEvent(events, 'state', 5000, (e) => (JSON.parse(e.data) as PublicView).tasks.find((t) => t.id === task)!.status === 'done');
        const view = JSON.parse(next.data) as PublicView;
        expect(view.tasks.find((t) => t.id === task)).toMatchObject({ status: 'done', statusLabel: 'erledigt' });
        expect(view.version).toBeGreaterThan(first.version);
      } finally {
        abort.abort();
      }
    });
  }

  test('an unknown id is a 404, not a stream', async () => {
    const res = await get('/s/gibt-es-nicht/events');
    expect(res.status).toBe(404);
  });
});

describe('Atom feed', () => {
  test('/feed.atom is valid Atom with an entry per posted toot; the progress toot carries its edited text', async () => {
    // The feed as it was between two equal readings of the last edit (an edit may be on its way).
    let edited = await service.store.editedTexts(running.id);
    let res = await get('/feed.atom');
    let xml = await res.text();
    for (let i = 0; i < 20; i += 1) {
      const again = await service.store.editedTexts(running.id);
      if (again.primary?.at === edited.primary?.at) break;
      edited = again;
      res = await get('/feed.atom');
      xml = await res.text();
    }
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/atom\+xml/);
    const feed = parseXml(xml);
    expect(feed.name).toBe('feed');
    expect(feed.attributes.xmlns).toBe('http://www.w3.org/2005/Atom');
    expect(child(feed, 'id')!.text).toMatch(/^urn:uuid:[0-9a-f-]{36}$/);
    expect(child(feed, 'title')!.text).toBe('Herold: Wartung von wien.rocks');
    expect(Number.isNaN(Date.parse(child(feed, 'updated')!.text))).toBe(false);
    expect(child(child(feed, 'author')!, 'name')!.text).toBe('Herold');
    expect(childrenNamed(feed, 'link').find((l) => l.attributes.rel === 'self')!.attributes.href).toBe('/feed.atom');
    const entries = childrenNamed(feed, 'entry');
    expect(entries.length).toBeGreaterThanOrEqual(1);
    const start = (await service.store.posted(running.id, 'start'))!;
    const entry = entries.find((e) => childrenNamed(e, 'link').some((l) => l.attributes.href === start.url))!;
    expect(entry).toBeDefined();
    expect(child(entry, 'id')!.text).toMatch(/^urn:uuid:/);
    expect(child(entry, 'title')!.text).toBe('wien.rocks: Start und laufender Fortschritt');
    expect(new Date(child(entry, 'published')!.text).toISOString()).toBe(new Date(start.at).toISOString());
    expect(child(entry, 'content')!.attributes.type).toBe('text');
    // Tasks changed in the tests above: the progress toot was edited, and its entry shows the edit.
    expect(edited.primary).toBeDefined();
    expect(new Date(child(entry, 'updated')!.text).toISOString()).toBe(new Date(edited.primary!.at).toISOString());
    expect(Date.parse(child(entry, 'updated')!.text)).toBeGreaterThan(Date.parse(child(entry, 'published')!.text));
    expect(child(entry, 'content')!.text).toBe(edited.primary!.text);
    expect(child(entry, 'content')!.text).toMatch(/erledigt/);
    // Entry ids are unique and stable.
    const ids = entries.map((e) => child(e, 'id')!.text);
    expect(new Set(ids).size).toBe(ids.length);
    const again = parseXml(await (await get('/feed.atom')).text());
    expect(childrenNamed(again, 'entry').map((e) => child(e, 'id')!.text)).toEqual(ids);
  });
});

describe('metrics', () => {
  test('/metrics has posts, edits, replies, failures, queue depth and the rate limit', async () => {
    const res = await get('/metrics');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    for (const name of ['herold_posts_total', 'herold_edits_total', 'herold_replies_total', 'herold_failures_total', 'herold_queue_jobs', 'herold_rate_limit_remaining', 'herold_rate_limit_limit']) {
      expect(text).toContain(`# TYPE ${name} `);
    }
    expect(Number(/herold_posts_total\{account="primary"\} (\d+)/.exec(text)![1])).toBeGreaterThanOrEqual(1);
    expect(text).toMatch(/herold_queue_jobs\{state="delayed"\} [1-9]/);
    expect(text).toMatch(/herold_rate_limit_remaining\{account="primary"\} \d+/);
    // Only Herold's own registry: no default process metrics from the global one.
    expect(text).not.toContain('process_cpu');
  });
});

describe('webhook', () => {
  test('accepts a task change with the right token', async () => {
    const res = await webhook(running.id, 'funktionstests', JSON.stringify({ status: 'running' }));
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ ok: true });
  });

  test('401 without or with a wrong token', async () => {
    expect((await webhook(running.id, 'dns', '{"status":"done"}', { authorization: '' })).status).toBe(401);
    expect((await webhook(running.id, 'dns', '{"status":"done"}', { authorization: 'Bearer wrong-token-wrong-token' })).status).toBe(401);
  });

  test('400 for malformed JSON and for a body that is not a task change', async () => {
    const broken = await webhook(running.id, 'dns', '{"status": "done"');
    expect(broken.status).toBe(400);
    expect(((await broken.json()) as { error: string }).error).toContain('not valid JSON');
    expect((await webhook(running.id, 'dns', JSON.stringify({ status: 'fertig' }))).status).toBe(400);
    expect((await webhook(running.id, 'dns', JSON.stringify({ status: 'done', extra: 1 }))).status).toBe(400);
  });

  test('404 for an unknown schedule or task', async () => {
    expect((await webhook('gibt-es-nicht', 'dns', '{"status":"done"}')).status).toBe(404);
    expect((await webhook(running.id, 'gibt-es-nicht', '{"status":"done"}')).status).toBe(404);
  });

  test('413 above 16 KiB, with a Content-Length and streamed without one', async () => {
    const big = JSON.stringify({ status: 'done', note: 'x'.repeat(17 * 1024) });
    const sized = await webhook(running.id, 'dns', big);
    expect(sized.status).toBe(413);
    const chunks = [big.slice(0, 9000), big.slice(9000)];
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        const next = chunks.shift();
        if (next === undefined) controller.close();
        else controller.enqueue(new TextEncoder().encode(next));
      },
    });
    const streamed = await fetch(`${base}/api/schedules/${running.id}/tasks/dns`, {
      method: 'POST',
      headers: { authorization: `Bearer ${webhookToken}`, 'content-type': 'application/json' },
      body: stream,
      duplex: 'half',
    } as RequestInit);
    expect(streamed.status).toBe(413);
    // Just under the limit is fine as far as size goes (the note is then too long for the schema: 400).
    const under = await webhook(running.id, 'dns', JSON.stringify({ status: 'done', note: 'x'.repeat(15 * 1024) }));
    expect(under.status).toBe(400);
  });
});

describe('queue dashboard', () => {
  test('401 without credentials, with a wrong password or user', async () => {
    const none = await get('/admin/queues');
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toMatch(/^Basic realm="Herold"/);
    expect((await get('/admin/queues', { headers: { authorization: basic(admin.user, 'wrong-password-wrong') } })).status).toBe(401);
    expect((await get('/admin/queues', { headers: { authorization: basic('root', admin.password) } })).status).toBe(401);
    expect((await get('/admin/queues', { headers: { authorization: 'Basic !!!' } })).status).toBe(401);
    expect((await get('/admin/queues', { headers: { authorization: `Bearer ${webhookToken}` } })).status).toBe(401);
    // The API behind the dashboard is protected too.
    expect((await get('/admin/queues/api/queues')).status).toBe(401);
  });

  test('200 with the right credentials: the page, its API and its static files', async () => {
    const authorization = basic(admin.user, admin.password);
    const page = await get('/admin/queues', { headers: { authorization } });
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('Herold');
    const api = await get('/admin/queues/api/queues', { headers: { authorization } });
    expect(api.status).toBe(200);
    const body = (await api.json()) as { queues: { name: string }[] };
    expect(body.queues.map((q) => q.name)).toContain('herold');
    // Assets are relative to <base href="/admin/queues/">.
    const asset = /src="(static\/js\/main[^"]*\.js)"/.exec(html)?.[1];
    expect(asset).toBeDefined();
    const script = await get(`/admin/queues/${asset}`, { headers: { authorization } });
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toMatch(/javascript/);
    expect((await get(`/admin/queues/${asset}`)).status).toBe(401);
  });
});
