import type { Context, Hono } from 'hono';
import type { Logger } from 'pino';
import { streamSSE, type SSEStreamingApi } from 'hono/streaming';
import type { Schedule } from '../../schedule/schedule.ts';
import { clientIp } from '../auth/client-ip.ts';
import { LiveLimits } from '../live/live-limits.ts';
import type { LiveState } from '../live/live-state.ts';
import type { LiveView, StateHub } from '../live/state-hub.ts';

const KEEPALIVE_MS = 15_000;

/**
 * GET …/events: text/event-stream with an `event: state` carrying the
 * PublicView as JSON, first at once and then after every change.
 */
export function sseResponse<S, V extends LiveView>(c: Context, hub: StateHub<S, V>, schedule: Schedule, release: () => void = () => undefined): Response {
  c.header('X-Accel-Buffering', 'no');
  return streamSSE(c, async (stream) => {
    try {
      await follow(stream, hub, schedule);
    } finally {
      release();
    }
  });
}

async function follow<S, V extends LiveView>(stream: SSEStreamingApi, hub: StateHub<S, V>, schedule: Schedule): Promise<void> {
  let counter = 0;
  // Browsers reconnect after 3 s when the connection drops.
  await stream.write('retry: 3000\n\n');
  await new Promise<void>((resolve) => {
    const send = (view: V) => {
      counter += 1;
      stream.writeSSE({ event: 'state', id: String(view.version) + '.' + counter, data: JSON.stringify(view) }).catch(() => undefined);
    };
    const keepalive = setInterval(() => void stream.write(': keepalive\n\n'), KEEPALIVE_MS);
    let unsubscribe = () => {};
    let unregister = () => {};
    let ended = false;
    const end = () => {
      if (ended) return;
      ended = true;
      clearInterval(keepalive);
      unsubscribe();
      unregister();
      resolve();
    };
    stream.onAbort(end);
    unregister = hub.onClose(end);
    unsubscribe = hub.subscribe(schedule, send);
  });
}

/** Seconds a client turned away at the cap is asked to wait. */
export const LIVE_RETRY_AFTER_S = 60;

export interface EventsOptions {
  readonly limits?: LiveLimits;
  readonly trustProxy?: boolean;
  readonly log?: Logger;
}

/** Opens one live-update stream for `schedule`, within the caps on open streams. */
export type LiveStreamOpener = <S, V extends LiveView>(c: Context, hub: StateHub<S, V>, schedule: Schedule) => Response;

/**
 * The stream handler every live route shares (public page, API, operator
 * panel): HEAD answers headers only, and the caps in total and per address
 * (LiveLimits) apply to all of them together.
 */
export function liveStreams(options: EventsOptions = {}): LiveStreamOpener {
  const limits = options.limits ?? new LiveLimits();
  let warnedProxy = false;
  return (c, hub, schedule) => {
    // Hono answers HEAD with the GET handler and drops the body unread, so a
    // stream started here would never see its end: answer the headers only.
    if (c.req.method === 'HEAD') return c.body(null, 200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache' });
    const admission = limits.admit(clientIp(c, options.trustProxy ?? false));
    if (!admission.ok) {
      if (admission.reason === 'ip' && !options.trustProxy && c.req.header('x-forwarded-for') && !warnedProxy) {
        warnedProxy = true;
        options.log?.warn('Live updates refused at the per-address cap for a request that came through a proxy (X-Forwarded-For), while HEROLD_TRUST_PROXY is off: all clients count as the proxy. Set HEROLD_TRUST_PROXY=on behind a proxy (docs/security.md).');
      }
      const who = admission.reason === 'ip' ? 'from your address' : 'in total';
      return c.json(
        { error: `Too many live-update connections ${who}. Reload the page to see the current state, or try again in ${LIVE_RETRY_AFTER_S} s.` },
        503,
        { 'Retry-After': String(LIVE_RETRY_AFTER_S), 'Cache-Control': 'no-store' },
      );
    }
    return sseResponse(c, hub, schedule, admission.release);
  };
}

/** GET /s/:id/events and GET /api/schedules/:id/events. */
export function mountEvents(app: Hono, live: LiveState, hub: StateHub, open: LiveStreamOpener): void {
  for (const route of ['/s/:id/events', '/api/schedules/:id/events']) {
    app.get(route, (c) => {
      const id = c.req.param('id') ?? '';
      const schedule = live.schedule(id);
      if (!schedule) return c.json({ error: `There is no schedule "${id}".` }, 404);
      return open(c, hub, schedule);
    });
  }
}
