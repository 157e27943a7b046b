import type { Hono } from 'hono';

/** GET /healthz (the process answers) and GET /readyz (Redis answers and the worker runs). */
export function mountProbes(app: Hono, ready: () => Promise<boolean>): void {
  app.get('/healthz', (c) => c.text('ok'));
  app.get('/readyz', async (c) => ((await ready()) ? c.text('ready') : c.text('not ready', 503)));
}
