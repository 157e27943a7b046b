import type { Hono } from 'hono';
import type { LiveState } from '../live/live-state.ts';
import { atomFeed } from '../views/atom-feed.ts';

/**
 * GET /feed.atom: everything posted, for every maintenance. Its links use
 * `publicUrl` (HEROLD_PUBLIC_URL), never the request's Host header, which
 * anyone can set: a feed cached by a proxy must not point readers elsewhere.
 * Without it the links are relative to the feed (RFC 4287 allows that).
 */
export function mountFeed(app: Hono, live: LiveState, feedKey: string, publicUrl: string | null = null): void {
  const base = publicUrl ? publicUrl.replace(/\/+$/, '') : '';
  app.get('/feed.atom', async (c) => {
    const views = await Promise.all(live.schedules.map((s) => live.viewOf(s)));
    const body = atomFeed(views, { selfUrl: `${base}/feed.atom`, pageUrl: `${base}/`, feedKey, now: new Date() });
    return c.body(body, 200, { 'Content-Type': 'application/atom+xml; charset=utf-8', 'Cache-Control': 'no-cache' });
  });
}
