import type { DateTime } from 'luxon';
import type { Logger } from 'pino';
import type { ReachabilityView } from '../../core/instance-reachability.ts';
import { answerRenderer, type LoadedFaq } from '../../faq/index.ts';
import type { TemplateRenderer } from '../../render/template-renderer.ts';
import { tootContext } from '../../render/toot-context.ts';
import type { Phase, Progress } from '../../schedule/progress.ts';
import { runningWindow } from '../views/maintenance.ts';
import type { Schedule } from '../../schedule/schedule.ts';
import type { PostedToot, StateStore } from '../../adapters/redis/state-store.ts';
import type { EditedText } from '../../core/ports/state-store.ts';
import type { AccountRole } from '../../core/ports/mastodon-account.ts';
import { publicView, type PublicFaqAnswer, type PublicView } from '../views/public-view.ts';
import type { CheckRecord } from '../../checks/check-record.ts';
import type { CheckStore } from '../../adapters/redis/check-store.ts';
import { dnsSpread } from '../../checks/dns-spread.ts';

export interface LiveStateDeps {
  readonly schedules: ReadonlyMap<string, Schedule>;
  readonly store: StateStore;
  /** The FAQ whose answers the page shows; null shows none. */
  readonly faq: LoadedFaq | null;
  readonly now: () => DateTime;
  readonly log?: Logger;
  /** Task checks' results, shown with their tasks; absent where nothing runs checks. */
  readonly checks?: CheckStore;
  /** Whether the primary instance answers; not shown when absent. */
  readonly reachability?: () => ReachabilityView;
}

/** Where a maintenance stands, as far as choosing which one to show needs. */
export interface Standing {
  readonly schedule: Schedule;
  readonly phase: Phase;
  readonly deadline: DateTime;
}

/** Announced or running: not over yet. */
export const isOpen = (phase: Phase) => phase === 'announced' || phase === 'running';
export const byStart = (a: Schedule, b: Schedule) => a.window.start.toMillis() - b.window.start.toMillis();

/** The raw state of one maintenance, as read from Redis in one go. */
export interface Snapshot {
  readonly schedule: Schedule;
  readonly progress: Progress;
  readonly posted: readonly (PostedToot & { tootId: string })[];
  /** What each account's progress toot says since its last edit. */
  readonly edited: Partial<Record<AccountRole, EditedText>>;
  readonly version: number;
  readonly checks: ReadonlyMap<string, CheckRecord>;
  /** Tasks a check marked ready (task id → ISO time). */
  readonly ready: Readonly<Record<string, string>>;
  readonly reachability: ReachabilityView | null;
}

/**
 * Reads what the public pages show, from the state store only (never the
 * queue): three small Redis reads per maintenance.
 */
export class LiveState {
  constructor(private readonly deps: LiveStateDeps) {}

  schedule(id: string): Schedule | undefined {
    return this.deps.schedules.get(id);
  }

  get schedules(): Schedule[] {
    return [...this.deps.schedules.values()];
  }

  async snapshot(schedule: Schedule): Promise<Snapshot> {
    const { store } = this.deps;
    const [progress, posted, version, ready, checks, edited] = await Promise.all([
      store.progress(schedule),
      store.allPosted(schedule.id),
      store.version(schedule.id),
      store.ready(schedule.id),
      this.deps.checks?.all(schedule.id) ?? new Map<string, CheckRecord>(),
      store.editedTexts(schedule.id),
    ]);
    return { schedule, progress, posted, version, ready, checks, edited, reachability: this.deps.reachability?.() ?? null };
  }

  /**
   * Changes whenever the view would, apart from the clock: the minute is
   * part of it so that relative times in the FAQ answers stay fresh.
   */
  signature(snapshot: Snapshot): string {
    const { progress } = snapshot;
    const tasks = Object.entries(progress.tasks).map(([id, t]) => [id, t.status, t.changedAt?.toMillis() ?? null, t.note]);
    // A check's run time is left out: only what it saw changes the page.
    const checks = [...snapshot.checks.values()].map((c) => [c.taskId, c.streak.passing, c.summary, c.acted?.action ?? null, c.resolvers?.filter((r) => r.sees).length ?? null]);
    return JSON.stringify([progress.phase, progress.deadline.toMillis(), snapshot.version, tasks, snapshot.posted.length, snapshot.edited.primary?.at ?? null, snapshot.edited.fallback?.at ?? null, Math.floor(this.deps.now().toMillis() / 60_000), snapshot.ready, checks, snapshot.reachability?.unreachableSince ?? null]);
  }

  view(snapshot: Snapshot): PublicView {
    const now = this.deps.now();
    return publicView({ ...snapshot, faq: this.answers(snapshot, now), now });
  }

  async viewOf(schedule: Schedule): Promise<PublicView> {
    return this.view(await this.snapshot(schedule));
  }

  /** Each maintenance's phase and deadline in force (one Redis read each). */
  async standings(schedules: readonly Schedule[] = this.schedules): Promise<Standing[]> {
    return Promise.all(
      schedules.map(async (schedule) => {
        const { phase, deadline } = await this.deps.store.progress(schedule);
        return { schedule, phase, deadline };
      }),
    );
  }

  /**
   * The maintenance `/` shows: one that is under way or still ahead (the
   * earliest start), otherwise the one that happened last.
   */
  async current(): Promise<Schedule | null> {
    const schedules = this.schedules;
    if (schedules.length === 0) return null;
    const open = (await this.standings(schedules)).filter((p) => isOpen(p.phase)).map((p) => p.schedule);
    if (open.length > 0) return open.sort(byStart)[0]!;
    return schedules.sort(byStart).at(-1)!;
  }

  /** A maintenance of the instance at `host` that runs now (src/http/views/maintenance.ts), or null. */
  async runningOn(host: string): Promise<Schedule | null> {
    const candidates = this.schedules.filter((s) => s.instance.toLowerCase() === host);
    if (candidates.length === 0) return null;
    return runningWindow(host, await this.standings(candidates), this.deps.now());
  }

  /** Each FAQ answer rendered with the live state, so it says what a reply would say right now. */
  private answers(snapshot: Snapshot, now: DateTime): PublicFaqAnswer[] {
    const { faq } = this.deps;
    if (!faq) return [];
    let renderer: TemplateRenderer;
    try {
      // The schedule's own answers over the default ones (src/faq/answer-templates.ts).
      renderer = answerRenderer(faq, snapshot.schedule.templateDirs, 'de').renderer;
    } catch (error) {
      this.deps.log?.warn({ schedule: snapshot.schedule.id, err: (error as Error).message }, "The schedule's FAQ answers could not be read for the status page.");
      return [];
    }
    const context = tootContext(snapshot.schedule, snapshot.progress, now, { dns: dnsSpread(snapshot.schedule, snapshot.checks, now) });
    const answers: PublicFaqAnswer[] = [];
    for (const entry of faq.entries) {
      try {
        answers.push({ id: entry.id, title: entry.title, answer: renderer.render(entry.id, context).text });
      } catch (error) {
        this.deps.log?.warn({ faq: entry.id, err: (error as Error).message }, 'An FAQ answer could not be rendered for the status page.');
      }
    }
    return answers;
  }
}
