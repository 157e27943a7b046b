import { existsSync } from 'node:fs';
import { serve, type ServerType } from '@hono/node-server';
import { Redis } from 'ioredis';
import { DateTime } from 'luxon';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { Operations } from '../../src/core/operations.ts';
import { createApp } from '../../src/http/app.ts';
import { createWeb, type Web } from '../../src/http/web.ts';
import { StateStore } from '../../src/adapters/redis/state-store.ts';
import { rebasedWienRocks, REDIS_URL, uniqueId } from '../support/harness.ts';

// In a real browser: past the live-update cap the page says to reload, as it
// does without JavaScript, instead of promising a reconnect that never comes.
const CHROMIUM = process.env.HEROLD_CHROMIUM ?? '/usr/bin/chromium';
const prefix = `{herold-fallback-${uniqueId('f')}}`;
const schedule = rebasedWienRocks(3600_000, 1, uniqueId('fallback'));
let browser: Browser;
let redis: Redis;
const servers: { server: ServerType; web: Web }[] = [];

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`This test needs Chromium at ${CHROMIUM}. Install it with "apt-get install chromium" (.ci/run does), or set HEROLD_CHROMIUM.`);
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
  redis = new Redis(REDIS_URL);
}, 60_000);

afterAll(async () => {
  await browser?.close();
  for (const { server, web } of servers) {
    web.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
});

async function start(max: number): Promise<string> {
  const web = await createWeb({ schedules: new Map([[schedule.id, schedule]]), store: new StateStore(redis, prefix), now: () => DateTime.now(), feedKey: 'k', faq: null, liveLimits: { max, maxPerIp: 20 } });
  const app = createApp({ operations: {} as Operations, webhookToken: null, ready: async () => true, web });
  const server = await new Promise<ServerType>((resolve) => {
    const s = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, () => resolve(s));
  });
  servers.push({ server, web });
  const address = server.address();
  return `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/s/${schedule.id}`;
}

test('turned away at the cap (503), the page falls back to "reload to update"', async () => {
  const page = await browser.newPage();
  const refused: number[] = [];
  page.on('response', (response) => {
    if (response.url().endsWith('/events')) refused.push(response.status());
  });
  await page.goto(await start(0));
  await page.locator('#live', { hasText: 'Zum Aktualisieren die Seite neu laden.' }).waitFor({ timeout: 5000 });
  // The browser does not retry after a 503: no reconnect storm against a full server.
  await page.waitForTimeout(4000);
  expect(refused).toEqual([503]);
  expect(await page.locator('#live').textContent()).toBe('Zum Aktualisieren die Seite neu laden.');
  await page.close();
});

test('below the cap the page follows live', async () => {
  const page = await browser.newPage();
  await page.goto(await start(5));
  await page.locator('#live', { hasText: 'Diese Seite aktualisiert sich von selbst.' }).waitFor({ timeout: 5000 });
  await page.close();
});
