import { readFileSync } from 'node:fs';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ReplyStore } from '../../src/adapters/redis/reply-store.ts';
import type { HeroldService } from '../../src/app/herold-service.ts';
import type { Schedule } from '../../src/schedule/schedule.ts';
import { rebasedWienRocks, REDIS_URL, rig, waitFor, type Rig } from '../support/harness.ts';
import { nextEvent, sseEvents } from '../http/helpers.ts';

// Hostile text on its way into the operator panel (issue 14): notes typed
// into its forms and questions from other servers, each over real HTTP to a
// running Herold. Whatever comes in, the panel shows text, never markup, and
// nothing a terminal or the bidi algorithm would act on.
const corpus = <T>(name: string): T[] => JSON.parse(readFileSync(new URL(`./corpus/${name}`, import.meta.url), 'utf8')) as T[];
const notes = corpus<{ name: string; note: string; allowUrls?: boolean; clean?: string | null; error?: string }>('notes.json').filter((n) => !n.allowUrls);
const hostile = corpus<{ name: string; input: string; clean: string }>('hostile-text.json');
const UNSAFE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]/;

const admin = { user: 'einsatz', password: 'korrekt-pferd-batterie-heftklammer' };
const authorization = `Basic ${Buffer.from(`${admin.user}:${admin.password}`).toString('base64')}`;
const escapeHtml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#x27;').replace(/`/g, '&#x60;').replace(/=/g, '&#x3D;');

let r: Rig;
let service: HeroldService;
let schedule: Schedule;
let redis: Redis;
let panel: string;
let csrf: string;

beforeAll(async () => {
  r = await rig({}, { admin });
  schedule = rebasedWienRocks(300);
  service = await r.start([schedule]);
  redis = new Redis(REDIS_URL);
  panel = `${service.httpUrl}/admin/s/${schedule.id}`;
  await waitFor('start toot', async () => (await service.store.posted(schedule.id, 'start'))?.statusId);
  csrf = /name="_csrf" value="([^"]+)"/.exec(await page())![1]!;
}, 60_000);

afterAll(async () => {
  redis?.disconnect();
  await r?.close();
});

async function page(): Promise<string> {
  return (await fetch(panel, { headers: { authorization } })).text();
}

function tap(taskId: string, status: string, note: string) {
  return fetch(`${panel}/tasks/${taskId}`, {
    method: 'POST',
    headers: { authorization, origin: service.httpUrl!, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ _csrf: csrf, status, note }).toString(),
    redirect: 'manual',
  });
}

const stored = async (taskId: string) => (await service.operations.status(schedule.id)).tasks.find((t) => t.id === taskId)!;

describe('notes typed into the panel', () => {
  test.each(notes)('$name', async ({ note, clean, error }) => {
    const before = await stored('datenbank');
    const res = await tap('datenbank', before.status === 'running' ? 'failed' : 'running', note);
    if (error) {
      expect(res.status).toBe(409);
      expect(await res.text()).toContain(escapeHtml(error));
      expect((await stored('datenbank')).status).toBe(before.status);
      return;
    }
    expect(res.status).toBe(303);
    const after = await stored('datenbank');
    expect(after.note).toBe(clean ?? null);
    const html = await page();
    if (clean) expect(html).toContain(`Notiz: ${escapeHtml(clean)}`);
    expect(html).not.toMatch(UNSAFE);
  });

  test('markup in a note stays text on the page and in the live update', async () => {
    const note = '<script>alert(1)</script> "><img src=x onerror=alert(2)>';
    expect((await tap('datenuebernahme', 'running', note)).status).toBe(303);
    const html = await page();
    expect(html).toContain('Notiz: &lt;script&gt;alert(1)&lt;/script&gt; &quot;&gt;&lt;img src&#x3D;x onerror&#x3D;alert(2)&gt;');
    expect(html).not.toContain('<script>alert');
    expect(html).not.toContain('<img');
    // The same escaping in the sections pushed over SSE (placed with innerHTML by the page's script).
    const controller = new AbortController();
    const res = await fetch(`${panel}/events`, { headers: { authorization }, signal: controller.signal });
    const event = await nextEvent(sseEvents(res), 'state').finally(() => controller.abort());
    const data = JSON.parse(event.data) as { sections: { tasks: string } };
    expect(data.sections.tasks).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(data.sections.tasks).not.toContain('<img');
  });
});

describe('questions from other servers, shown in the panel', () => {
  test('escape sequences, bidi overrides and markup are gone or escaped; a javascript: link is not linked', async () => {
    const replies = new ReplyStore(redis, r.config.prefix);
    let n = 0;
    for (const { input } of hostile) {
      n += 1;
      await replies.keepQuestion({ notificationId: `66${n}`, statusId: `5${n}`, url: 'https://other.example/@x/1', acct: `x${n}@other.example`, visibility: 'public', text: input, score: 0.1, createdAt: new Date().toISOString() });
    }
    await replies.keepQuestion({ notificationId: '6999', statusId: '599', url: 'javascript:alert(1)', acct: 'mallory@evil.example\u202e', visibility: 'direct', text: '<b>Hallo</b> @admin', score: 0, createdAt: new Date().toISOString() });
    const html = await page();
    for (const { clean } of hostile) expect(html).toContain(escapeHtml(clean));
    expect(html).not.toMatch(UNSAFE);
    expect(html).toContain('&lt;b&gt;Hallo&lt;/b&gt; @admin');
    expect(html).toContain('@mallory@evil.example (Direktnachricht)');
    expect(html).not.toContain('javascript:');
  });
});
