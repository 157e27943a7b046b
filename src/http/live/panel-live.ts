import type { DateTime } from 'luxon';
import type { ReachabilityView } from '../../core/instance-reachability.ts';
import type { Operations, StatusReport } from '../../core/operations.ts';
import type { OpenQuestion, QuestionInbox } from '../../core/ports/reply-store.ts';
import type { Schedule } from '../../schedule/schedule.ts';
import type { PanelPages, PanelSection } from '../views/panel-page.ts';
import { panelView, type PanelView } from '../views/panel-view.ts';
import type { LiveSource } from './state-hub.ts';

/** The questions that got the fallback answer: listed, and closed once a person has answered. */
export type { QuestionInbox };

export interface PanelLiveDeps {
  readonly operations: Pick<Operations, 'status'>;
  readonly questions: QuestionInbox;
  readonly reachability?: () => ReachabilityView;
  readonly now: () => DateTime;
  readonly pages: PanelPages;
  /** The CSRF token the sections' forms carry. */
  readonly token: string;
}

export interface PanelSnapshot {
  readonly report: StatusReport;
  readonly questions: readonly OpenQuestion[];
  readonly reachability: ReachabilityView | null;
}

/** What a live update of the panel carries: each section, rendered. */
export interface PanelLiveView {
  readonly version: number;
  readonly sections: Record<PanelSection, string>;
}

/**
 * The panel's state, read through the use cases (Operations.status, the
 * question inbox), never from Redis keys directly; polled by a StateHub so
 * that changes from the CLI, the webhook or another replica show up too.
 */
export class PanelLive implements LiveSource<PanelSnapshot, PanelLiveView> {
  constructor(private readonly deps: PanelLiveDeps) {}

  async snapshot(schedule: Schedule): Promise<PanelSnapshot> {
    const [report, questions] = await Promise.all([this.deps.operations.status(schedule.id), this.deps.questions.openQuestions()]);
    return { report, questions, reachability: this.deps.reachability?.() ?? null };
  }

  panel(snapshot: PanelSnapshot): PanelView {
    return panelView({ ...snapshot, now: this.deps.now() });
  }

  signature(snapshot: PanelSnapshot): string {
    return JSON.stringify(this.panel(snapshot));
  }

  view(snapshot: PanelSnapshot): PanelLiveView {
    const view = this.panel(snapshot);
    return { version: view.version, sections: this.deps.pages.sectionsOf(view, this.deps.token) };
  }
}
