import type { Hono } from 'hono';
import type { LiveState } from '../live/live-state.ts';

/**
 * The public state as JSON: GET /api/schedules (every maintenance) and
 * GET /api/schedules/:id (one, 404 for an unknown id). The same PublicView
 * the status page and its live updates use; readable from any origin.
 */
export function mountApi(app: Hono, live: LiveState): void {
  app.get('/api/schedules', async (c) => {
    const views = await Promise.all(live.schedules.map((s) => live.viewOf(s)));
    c.header('Access-Control-Allow-Origin', '*');
    c.header('Cache-Control', 'no-cache');
    return c.json({ schedules: views });
  });

  app.get('/api/schedules/:id', async (c) => {
    const schedule = live.schedule(c.req.param('id'));
    c.header('Access-Control-Allow-Origin', '*');
    if (!schedule) {
      const known = live.schedules.map((s) => s.id).join(', ') || 'none';
      return c.json({ error: `There is no schedule "${c.req.param('id')}". Known schedules: ${known}.` }, 404);
    }
    c.header('Cache-Control', 'no-cache');
    return c.json(await live.viewOf(schedule));
  });
}
