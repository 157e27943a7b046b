import type { HeroldService } from '../app/herold-service.ts';
import type { Phase } from '../schedule/progress.ts';
import type { Schedule } from '../schedule/schedule.ts';
import type { SandboxObserver, TranscriptEvent } from './observer.ts';
import { waitReal } from './wait-real.ts';

export type RehearsalOutcome = 'complete' | 'backout' | 'cancelled' | 'unfinished' | 'aborted';

export const OUTCOME_TEXT: Record<RehearsalOutcome, string> = {
  complete: 'Wartung abgeschlossen',
  backout: 'Wartung zurückgerollt (Back-out)',
  cancelled: 'Wartung abgesagt',
  unfinished: 'Probe nicht fertig geworden',
  aborted: 'Probe abgebrochen',
};

type FinalPhase = Extract<Phase, 'complete' | 'backout' | 'cancelled'>;

const isFinal = (phase: Phase): phase is FinalPhase => phase === 'complete' || phase === 'backout' || phase === 'cancelled';

/** How long the sandbox must be quiet before the day counts as over. */
const QUIET_MS = 300;
/** How long unanswered questions may keep the end waiting once everything else has settled. */
const ANSWER_GRACE_MS = 1500;

export interface OutcomeWatch {
  readonly schedule: Schedule;
  readonly service: HeroldService;
  /** Watches the instance's sandbox. */
  readonly observer: SandboxObserver;
  /** What is new on every sandbox watched, for the transcript. */
  readonly look: () => TranscriptEvent[];
  /** Status ids of the questions asked. */
  readonly questionIds: readonly string[];
  readonly emit: (events: readonly TranscriptEvent[]) => void;
  /** Real epoch ms after which the rehearsal gives up: 'unfinished'. */
  readonly giveUpAt: number;
  readonly signal?: AbortSignal;
}

/**
 * Waits until the maintenance has its outcome and everything has settled:
 * the outcome's toot is out, the start toot unpinned and showing the last
 * state, no job left but the deadline's, the questions answered (or a
 * moment's grace for them), and the sandbox quiet. Reads only what Herold
 * shows: its state store, its job queue and the sandbox.
 */
export async function awaitOutcome(watch: OutcomeWatch): Promise<RehearsalOutcome> {
  const { schedule, service, observer } = watch;
  let settledSince = 0;
  for (;;) {
    if (watch.signal?.aborted) return 'aborted';
    watch.emit(watch.look());
    const { phase } = await service.store.progress(schedule);
    if (isFinal(phase)) {
      const settled = await hasSettled(watch, phase);
      if (!settled) settledSince = 0;
      else if (settledSince === 0) settledSince = Date.now();
      const answered = observer.answered(watch.questionIds) >= watch.questionIds.length || Date.now() - settledSince > ANSWER_GRACE_MS;
      if (settled && answered && Date.now() - observer.quietSince > QUIET_MS) return phase;
    }
    if (Date.now() > watch.giveUpAt) return 'unfinished';
    await waitReal(50, watch.signal);
  }
}

async function hasSettled({ schedule, service, observer }: OutcomeWatch, phase: FinalPhase): Promise<boolean> {
  const start = observer.posted('start');
  const [version, edits, pending, running] = await Promise.all([
    service.store.version(schedule.id),
    service.store.edits(schedule.id),
    service.jobs.pending(schedule.id),
    service.jobs.running(),
  ]);
  return (
    (observer.posted(phase) !== undefined || (phase === 'cancelled' && !start)) &&
    (!start || !start.pinned) &&
    (!start || (edits.shown.primary ?? -1) >= version) &&
    pending.every((j) => j.data.type === 'deadline') &&
    running === 0
  );
}
