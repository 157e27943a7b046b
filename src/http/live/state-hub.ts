import type { Schedule } from '../../schedule/schedule.ts';
import type { Snapshot } from './live-state.ts';
import type { PublicView } from '../views/public-view.ts';

/** What a hub polls: a raw snapshot, a signature that changes when the view would, and the view itself. */
export interface LiveSource<S, V extends LiveView> {
  snapshot(schedule: Schedule): Promise<S>;
  signature(snapshot: S): string;
  view(snapshot: S): V;
}

/** Every view pushed over SSE carries a version (part of the event id). */
export interface LiveView {
  readonly version: number;
}

type Listener<V> = (view: V) => void;

interface Watch<V> {
  readonly schedule: Schedule;
  readonly listeners: Set<Listener<V>>;
  timer: NodeJS.Timeout | null;
  signature: string | null;
  view: V | null;
  /** A read is in flight; a slow Redis must not pile up reads. */
  busy: boolean;
}

/**
 * One poller per maintenance, however many browsers watch it: while anyone
 * is subscribed it reads the state every `pollMs` and pushes a new view only
 * when something changed. Polling Redis (not the queue) is cheap, and it
 * also sees changes made by other processes (`herold task …`, a second worker).
 */
export class StateHub<S = Snapshot, V extends LiveView = PublicView> {
  private readonly watches = new Map<string, Watch<V>>();
  private readonly closers = new Set<() => void>();
  private closed = false;

  constructor(
    private readonly live: LiveSource<S, V>,
    private readonly pollMs = 500,
  ) {}

  /** Calls `listener` with the current view at once, then on every change. Returns the unsubscribe function. */
  subscribe(schedule: Schedule, listener: Listener<V>): () => void {
    let watch = this.watches.get(schedule.id);
    if (!watch) {
      watch = { schedule, listeners: new Set(), timer: null, signature: null, view: null, busy: false };
      this.watches.set(schedule.id, watch);
    }
    watch.listeners.add(listener);
    if (watch.view) listener(watch.view);
    if (!watch.timer && !this.closed) this.tick(watch);
    let subscribed = true;
    return () => {
      if (!subscribed) return;
      subscribed = false;
      watch.listeners.delete(listener);
      if (watch.listeners.size === 0 && this.watches.get(schedule.id) === watch) {
        if (watch.timer) clearTimeout(watch.timer);
        this.watches.delete(schedule.id);
      }
    };
  }

  /** Registers a stream to end when the hub closes (server shutdown). */
  onClose(closer: () => void): () => void {
    if (this.closed) {
      closer();
      return () => undefined;
    }
    this.closers.add(closer);
    return () => this.closers.delete(closer);
  }

  get subscribers(): number {
    let n = 0;
    for (const watch of this.watches.values()) n += watch.listeners.size;
    return n;
  }

  close(): void {
    this.closed = true;
    for (const watch of this.watches.values()) if (watch.timer) clearTimeout(watch.timer);
    this.watches.clear();
    for (const closer of [...this.closers]) closer();
    this.closers.clear();
  }

  private tick(watch: Watch<V>): void {
    watch.timer = setTimeout(() => this.tick(watch), this.pollMs);
    if (watch.busy) return;
    watch.busy = true;
    void this.refresh(watch).finally(() => (watch.busy = false));
  }

  private async refresh(watch: Watch<V>): Promise<void> {
    try {
      const snapshot = await this.live.snapshot(watch.schedule);
      const signature = this.live.signature(snapshot);
      if (signature === watch.signature || this.closed || this.watches.get(watch.schedule.id) !== watch) return;
      watch.signature = signature;
      watch.view = this.live.view(snapshot);
      for (const listener of watch.listeners) listener(watch.view);
    } catch {
      // Redis is away for a moment: keep the last view, try again next tick.
    }
  }
}
