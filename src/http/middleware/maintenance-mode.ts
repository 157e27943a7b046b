import type { MiddlewareHandler } from 'hono';
import { DateTime } from 'luxon';
import type { Schedule } from '../../schedule/schedule.ts';
import type { LiveState } from '../live/live-state.ts';
import { maintenanceAnswer, maintenanceMessage, requestHost, retryAfterSeconds } from '../views/maintenance.ts';
import type { StatusPages } from '../views/status-pages.ts';

export interface MaintenanceModeOptions {
  /** HEROLD_MAINTENANCE_HOSTS: the instances' own hosts that may point at Herold during their window. */
  readonly hosts: readonly string[];
  readonly live: LiveState;
  readonly pages: StatusPages;
  readonly now: () => DateTime;
  /** Where the status page of a maintenance is (absolute), when known. */
  readonly statusPage: (schedule: Schedule) => string | null;
  /** How long one look at the phases serves requests to the same host. Default 1000 ms. */
  readonly cacheMs?: number;
}

/**
 * Maintenance mode for the instance's own host: while a window of that
 * instance runs, browsers get a 503 page with the live progress, apps and
 * other servers Mastodon's `{"error": …}` with 503, a monitor's /health a
 * plain 503; all with Retry-After. Every other host, and this host outside
 * its window, passes through to Herold's usual routes. The phases are read
 * at most once a second per host: during the downtime the instance's
 * address gets every app's and every server's retries.
 */
export function maintenanceMode(options: MaintenanceModeOptions): MiddlewareHandler {
  const hosts = new Set(options.hosts.map((h) => h.toLowerCase()));
  const cacheMs = options.cacheMs ?? 1000;
  const looked = new Map<string, { until: number; schedule: Promise<Schedule | null> }>();
  const running = (host: string) => {
    const now = Date.now();
    let entry = looked.get(host);
    if (!entry || entry.until <= now) {
      entry = { until: now + cacheMs, schedule: options.live.runningOn(host) };
      // A failed read is not remembered: the next request asks again (and the Redis guard answers meanwhile).
      entry.schedule.catch(() => looked.delete(host));
      looked.set(host, entry);
    }
    return entry.schedule;
  };

  return async (c, next) => {
    const host = hosts.size > 0 ? requestHost(c.req.header('host')) : null;
    if (!host || !hosts.has(host)) return next();
    const answer = maintenanceAnswer(c.req.path, c.req.header('accept'));
    if (answer === 'herold') return next();
    const schedule = await running(host);
    if (!schedule) return next();

    const view = await options.live.viewOf(schedule);
    const now = options.now();
    const expectedEnd = DateTime.fromISO(view.window.expectedEnd);
    const retryAfter = retryAfterSeconds(expectedEnd, DateTime.fromISO(view.window.deadline), now);
    const message = maintenanceMessage(view.instance, { expectedEnd, expectedEndLabel: view.window.expectedEndLabel, deadlineLabel: view.window.deadlineLabel }, now);
    const headers = { 'Retry-After': String(retryAfter), 'Cache-Control': 'no-store' };
    if (answer === 'health') return c.text(`Wartung: ${message}`, 503, headers);
    if (answer === 'json') return c.json({ error: message }, 503, headers);
    const page = options.pages.maintenance(view, { eventsUrl: `/s/${encodeURIComponent(schedule.id)}/events`, statusPage: options.statusPage(schedule) });
    return c.html(page, 503, { ...options.pages.headers(), ...headers });
  };
}
