import type { DateTime } from 'luxon';
import type { SandboxObserver, TranscriptEvent } from './observer.ts';
import { progressBar, terminalLines } from './transcript.ts';
import type { VirtualClock } from './virtual-clock.ts';

/** A terminal to draw the progress bar on. */
export interface Tty {
  write(text: string): unknown;
  columns?: number;
}

/**
 * The rehearsal's transcript as it happens: every event kept in the order
 * seen and printed at once, with a progress bar under the lines on a
 * terminal once the day is running.
 */
export class LiveTranscript {
  readonly events: TranscriptEvent[] = [];
  private barShown = '';
  private day: { readonly clock: VirtualClock; readonly observer: SandboxObserver; readonly end: DateTime } | null = null;

  constructor(
    private readonly out: (line: string) => void,
    private readonly tty: Tty | null,
  ) {}

  /** From now on the bar shows how far the day (until `end`) has come. */
  follow(clock: VirtualClock, observer: SandboxObserver, end: DateTime): void {
    this.day = { clock, observer, end };
  }

  emit(fresh: readonly TranscriptEvent[]): void {
    if (fresh.length === 0) return;
    this.clearBar();
    for (const event of fresh) {
      this.events.push(event);
      for (const line of terminalLines(event)) this.out(line);
    }
    this.drawBar();
  }

  drawBar(): void {
    const { tty, day } = this;
    if (!tty || !day) return;
    const total = day.clock.realAt(day.end) - day.clock.realStart;
    const bar = progressBar((Date.now() - day.clock.realStart) / total, day.clock.now(), day.observer.summary());
    const width = Math.max(20, (tty.columns || 80) - 1);
    const line = [...bar].slice(0, width).join('');
    if (line === this.barShown) return;
    this.barShown = line;
    tty.write(`\r\x1b[2K${this.barShown}`);
  }

  clearBar(): void {
    if (this.tty && this.barShown) this.tty.write('\r\x1b[2K');
    this.barShown = '';
  }

  /** The events by virtual time; events at the same time in the order seen. */
  sorted(): TranscriptEvent[] {
    return this.events
      .map((e, i) => ({ e, i }))
      .sort((a, b) => a.e.at.toMillis() - b.e.at.toMillis() || a.i - b.i)
      .map(({ e }) => e);
  }
}
