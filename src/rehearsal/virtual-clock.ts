import { DateTime } from 'luxon';
import type { Clock } from '../core/ports/clock.ts';

/** A stretch of virtual time that runs at its own speed (e.g. the maintenance window, slower than the weeks before it). */
export interface SpeedSegment {
  readonly from: DateTime;
  readonly to: DateTime;
  readonly speed: number;
}

export interface VirtualClockOptions {
  /** Virtual time at `realStart`. */
  readonly start: DateTime;
  /** Virtual milliseconds per real millisecond outside the segments. */
  readonly speed: number;
  /** Stretches running at another speed; where they overlap, the slowest wins. */
  readonly segments?: readonly SpeedSegment[];
  /** Real epoch ms at which the virtual clock shows `start`; default now. */
  readonly realStart?: number;
  /** Real time source; default Date.now. */
  readonly realNow?: () => number;
}

interface Breakpoint {
  /** Virtual epoch ms. */
  readonly v: number;
  /** Real epoch ms. */
  readonly r: number;
  /** Speed from here on, until the next breakpoint. */
  readonly speed: number;
}

/**
 * A piecewise linear clock: virtual time runs `speed` times faster than real
 * time, except inside the segments. It answers both ways: the virtual time at
 * a real instant (`now`, `virtualAt`) and the real instant of a virtual time
 * (`realAt`, `realDelayMs`), which is what the scheduler needs to turn planned
 * times into BullMQ delays.
 */
export class VirtualClock implements Clock {
  readonly zone: string;
  readonly start: DateTime;
  private readonly realNow: () => number;
  private breakpoints: Breakpoint[];

  constructor(options: VirtualClockOptions) {
    if (!(options.speed > 0)) throw new RangeError(`The speed must be positive, not ${options.speed}.`);
    this.zone = options.start.zoneName ?? 'UTC';
    this.start = options.start;
    this.realNow = options.realNow ?? Date.now;
    const realStart = options.realStart ?? this.realNow();

    const segments = (options.segments ?? []).map((s) => ({ from: s.from.toMillis(), to: s.to.toMillis(), speed: s.speed })).filter((s) => s.to > s.from);
    for (const s of segments) if (!(s.speed > 0)) throw new RangeError(`The speed of a segment must be positive, not ${s.speed}.`);
    // Where segments overlap, the slowest one wins.
    const speedAt = (v: number) => {
      const inside = segments.filter((s) => s.from <= v && v < s.to);
      return inside.length > 0 ? Math.min(...inside.map((s) => s.speed)) : options.speed;
    };
    // Virtual change points from the start on, each with the speed that follows it.
    const v0 = options.start.toMillis();
    const changes = [v0, ...segments.flatMap((s) => [s.from, s.to]).filter((v) => v > v0)].map((v) => ({ v, speed: speedAt(v) }));
    changes.sort((a, b) => a.v - b.v);
    this.breakpoints = [];
    for (const change of changes) {
      const previous = this.breakpoints.at(-1);
      const r = previous ? previous.r + (change.v - previous.v) / previous.speed : realStart;
      if (previous && previous.v === change.v) continue;
      if (previous && previous.speed === change.speed) continue;
      this.breakpoints.push({ v: change.v, r, speed: change.speed });
    }
  }

  /** Real epoch ms at which the clock shows `start`. */
  get realStart(): number {
    return this.breakpoints[0]!.r;
  }

  /**
   * Moves the real instant at which the clock shows `start` (the whole
   * mapping shifts). Delays handed out before are then wrong: reschedule them.
   */
  restartAt(realStart: number): void {
    const shift = realStart - this.realStart;
    this.breakpoints = this.breakpoints.map((b) => ({ ...b, r: b.r + shift }));
  }

  now(): DateTime {
    return this.virtualAt(this.realNow());
  }

  /** The virtual time at a real instant (epoch ms). Before the real start it extrapolates at the first speed. */
  virtualAt(realMs: number): DateTime {
    let bp = this.breakpoints[0]!;
    for (const candidate of this.breakpoints) if (candidate.r <= realMs) bp = candidate;
    return DateTime.fromMillis(bp.v + (realMs - bp.r) * bp.speed, { zone: this.zone });
  }

  /** The real instant (epoch ms, fractional) at which the virtual clock shows `at`. */
  realAt(at: DateTime | number): number {
    const v = typeof at === 'number' ? at : at.toMillis();
    let bp = this.breakpoints[0]!;
    for (const candidate of this.breakpoints) if (candidate.v <= v) bp = candidate;
    return bp.r + (v - bp.v) / bp.speed;
  }

  realNowMs(): number {
    return this.realNow();
  }

  realDelayMs(virtualMs: number): number {
    const r0 = this.realNow();
    return this.realAt(this.virtualAt(r0).toMillis() + virtualMs) - r0;
  }

  /** Real milliseconds from now until the virtual clock shows `at` (negative when it already has). */
  realUntil(at: DateTime): number {
    return this.realAt(at) - this.realNow();
  }

  /** Virtual milliseconds per real millisecond at virtual time `at`. */
  speedAt(at: DateTime): number {
    const v = at.toMillis();
    let bp = this.breakpoints[0]!;
    for (const candidate of this.breakpoints) if (candidate.v <= v) bp = candidate;
    return bp.speed;
  }

  /** The fastest speed anywhere on this clock. */
  get maxSpeed(): number {
    return Math.max(...this.breakpoints.map((b) => b.speed));
  }

  /** The slowest speed anywhere on this clock. */
  get minSpeed(): number {
    return Math.min(...this.breakpoints.map((b) => b.speed));
  }
}
