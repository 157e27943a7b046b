import type { Context, Hono } from 'hono';
import type { Schedule } from '../../schedule/schedule.ts';
import type { LiveState } from '../live/live-state.ts';
import type { StatusPages } from '../views/status-pages.ts';

/**
 * GET / (the current or next maintenance) and GET /s/:id. Both work without
 * JavaScript; with it, the page follows `/s/:id/events`.
 */
export function mountStatusPages(app: Hono, live: LiveState, pages: StatusPages): void {
  const render = async (c: Context, schedule: Schedule) => {
    const view = await live.viewOf(schedule);
    const others = live.schedules
      .filter((s) => s.id !== schedule.id)
      .sort((a, b) => a.window.start.toMillis() - b.window.start.toMillis())
      .map((s) => ({ href: `/s/${encodeURIComponent(s.id)}`, label: `${s.instance}: ${s.window.start.setZone(s.timezone).setLocale(s.locale).toFormat('d. LLLL yyyy')}` }));
    return c.html(pages.page(view, { eventsUrl: `/s/${encodeURIComponent(schedule.id)}/events`, others }), 200, pages.headers());
  };

  app.get('/', async (c) => {
    const schedule = await live.current();
    if (!schedule) return c.html(pages.message('Keine Wartung geplant', 'Zurzeit ist keine Wartung geplant. Schau später wieder vorbei.'), 200, pages.headers());
    return render(c, schedule);
  });

  app.get('/s/:id', async (c) => {
    const schedule = live.schedule(c.req.param('id'));
    if (!schedule) return notFoundPage(c, pages);
    return render(c, schedule);
  });
}

export function notFoundPage(c: Context, pages: StatusPages): Response {
  return c.html(pages.message('Seite nicht gefunden', 'Diese Seite gibt es nicht, oder die Wartung ist nicht mehr eingetragen.'), 404, pages.headers());
}
