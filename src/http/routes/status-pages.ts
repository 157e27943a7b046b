import type { Context, Hono } from 'hono';
import type { Schedule } from '../../schedule/schedule.ts';
import { byStart, isOpen, type LiveState, type Standing } from '../live/live-state.ts';
import { PHASE_LABELS } from '../views/public-view.ts';
import type { StatusPages } from '../views/status-pages.ts';

/**
 * GET / (the current or next maintenance; the others below it, those over
 * in an archive) and GET /s/:id. Both work without
 * JavaScript; with it, the page follows `/s/:id/events`.
 */
export function mountStatusPages(app: Hono, live: LiveState, pages: StatusPages): void {
  const render = async (c: Context, schedule: Schedule) => {
    const view = await live.viewOf(schedule);
    const others = await live.standings(live.schedules.filter((s) => s.id !== schedule.id));
    const link = ({ schedule: s, phase }: Standing) => ({
      href: `/s/${encodeURIComponent(s.id)}`,
      label: `${s.instance}: ${s.window.start.setZone(s.timezone).setLocale(s.locale).toFormat('d. LLLL yyyy')} (${PHASE_LABELS[phase]})`,
    });
    // Still ahead: soonest first. Over: the latest first.
    const upcoming = others.filter((o) => isOpen(o.phase)).sort((a, b) => byStart(a.schedule, b.schedule)).map(link);
    const archive = others.filter((o) => !isOpen(o.phase)).sort((a, b) => byStart(b.schedule, a.schedule)).map(link);
    return c.html(pages.page(view, { eventsUrl: `/s/${encodeURIComponent(schedule.id)}/events`, upcoming, archive }), 200, pages.headers());
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
