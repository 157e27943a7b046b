import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { DateTime } from 'luxon';
import { pino, type Logger } from 'pino';
import { loadConfig, type Config } from '../config/config.ts';
import { startHerold, type HeroldService } from '../app/herold-service.ts';
import type { LabelledQuestion } from '../faq/index.ts';
import { connectOrExplain, redisConnection, serversOf, type RedisConnection } from '../adapters/redis/connect.ts';
import { DEFAULT_ACCOUNT, startSandbox, type MastodonVersion, type Sandbox } from '../sandbox/index.ts';
import { loadSchedule } from '../schedule/load-schedule.ts';
import type { Schedule } from '../schedule/schedule.ts';
import { milestoneTootId, reminderTootId } from '../schedule/toot-ids.ts';
import type { Scenario } from '../render/timeline.ts';
import { loadQuestions, loadScript, planRehearsal, type RehearsalAction, type RehearsalPlan } from './plan.ts';
import { SandboxObserver, type ObserverCounts, type TranscriptEvent } from './observer.ts';
import { progressBar, terminalLines, transcriptMarkdown } from './transcript.ts';
import { VirtualClock } from './virtual-clock.ts';
import { CheckWorld, type WorldChange } from './check-world.ts';
import { shownStatus } from '../checks/shown-status.ts';
import { checkView } from '../checks/check-view.ts';

/** Default compression: the wien.rocks weeks (27.01. 18:00 to 12.02. 15:00, about 16 days) pass in about 23 s; the whole demo takes about 45 s. */
export const DEFAULT_SPEED = 60_000;
/**
 * Default speed inside the window (a few minutes before the start until a few
 * minutes after the last task change): 3 s of coalescing become 3 ms, tasks
 * ten minutes apart 600 ms, so every edit stays an edit of its own.
 */
export const DEFAULT_WINDOW_SPEED = 1_000;
/** Default speed for a minute around each toot due at a planned time; see EVENT_BEFORE in plan.ts. */
export const DEFAULT_EVENT_SPEED = 100;

export interface RehearseOptions {
  /** Schedule file, or a loaded schedule. */
  readonly schedule: string | Schedule;
  readonly speed?: number;
  /** Default min(speed, DEFAULT_WINDOW_SPEED). */
  readonly windowSpeed?: number;
  /** Default min(windowSpeed, DEFAULT_EVENT_SPEED). */
  readonly eventSpeed?: number;
  /** TSV `id<TAB>question`; default a few questions of test/faq-questions.tsv. */
  readonly questionsFile?: string;
  readonly questions?: readonly LabelledQuestion[];
  /** YAML list of operator actions instead of the planned task times. */
  readonly scriptFile?: string;
  /** Takes the instance down from the start until the expected end of the downtime. */
  readonly outage?: boolean;
  /**
   * With `outage`: a fallback account on a second sandbox instance, where the
   * start toot and milestones go while the instance is down. It is the
   * schedule's `fallbackAccount` (or @herold@ausweich.example, added to the
   * schedule so the toots name it). Default true.
   */
  readonly fallback?: boolean;
  /** The Mastodon release the sandbox behaves as (src/sandbox/profiles.ts); default the newest. */
  readonly mastodonVersion?: MastodonVersion;
  readonly scenario?: Scenario;
  /** Where the Markdown transcript goes; default rehearsals/<id>-<timestamp>.md; false: nowhere. */
  readonly transcript?: string | false;
  readonly redisUrl?: string;
  /** Port of Herold's HTTP server (status page); default 0, a free one. */
  readonly port?: number;
  /** Transcript lines, as they happen. */
  readonly out?: (line: string) => void;
  /** A terminal to draw the progress bar on; null for none. */
  readonly tty?: { write(text: string): unknown; columns?: number } | null;
  readonly logLevel?: string;
  /** Give up this long (real ms) after the expected end. Default 60 s. */
  readonly overtimeMs?: number;
  /** Aborts the rehearsal (e.g. Ctrl-C); it still cleans up and writes the transcript. */
  readonly signal?: AbortSignal;
  /** Real milliseconds between Herold being up and the virtual clock starting. Default 200. */
  readonly leadRealMs?: number;
}

export type RehearsalOutcome = 'complete' | 'backout' | 'cancelled' | 'unfinished' | 'aborted';

export interface RehearsalResult {
  readonly ok: boolean;
  readonly outcome: RehearsalOutcome;
  readonly counts: ObserverCounts;
  /** Toot ids that should have gone out but did not, or were skipped. */
  readonly problems: readonly string[];
  readonly events: readonly TranscriptEvent[];
  readonly markdown: string;
  readonly transcriptPath: string | null;
  readonly statusPage: string | null;
  readonly wallMs: number;
  /** The one-line summary. */
  readonly summary: string;
  readonly plan: RehearsalPlan;
  /** The Redis key prefix the rehearsal used (its keys are deleted at the end). */
  readonly prefix: string;
}

/** The fallback account a rehearsal with an outage uses when the schedule names none. */
const DEFAULT_FALLBACK_ACCOUNT = '@herold@ausweich.example';
const FALLBACK_TOKEN = 'fallback-sandbox-token';

/** "@user@domain" → its parts (the schedule checks the shape). */
function accountOf(handle: string): { username: string; domain: string } {
  const [, username, domain] = /^@([^@]+)@(.+)$/.exec(handle)!;
  return { username: username!, domain: domain! };
}

/** How long Herold may take to boot before the virtual clock is moved to its real start. */
const BOOT_SLACK_MS = 10 * 60_000;

const OUTCOME_TEXT: Record<RehearsalOutcome, string> = {
  complete: 'Wartung abgeschlossen',
  backout: 'Wartung zurückgerollt (Back-out)',
  cancelled: 'Wartung abgesagt',
  unfinished: 'Probe nicht fertig geworden',
  aborted: 'Probe abgebrochen',
};

/** Tuning variables an operator may set for the rehearsal; everything else is the rehearsal's own. */
const TUNING = ['HEROLD_GRACE_MS', 'HEROLD_COALESCE_MS', 'HEROLD_MAX_BACKOFF_MS', 'HEROLD_REQUEST_TIMEOUT_MS'] as const;

/** Waits `ms` real milliseconds, or until `signal` aborts. Never early: Node truncates fractional delays, and a question at 19:00 must not show 18:59. */
const waitReal = (ms: number, signal?: AbortSignal): Promise<void> =>
  sleep(Math.max(0, Math.ceil(ms) + 1), undefined, { signal }).catch((error: unknown) => {
    if (!signal?.aborted) throw error;
  });

/**
 * `herold rehearse`: the whole schedule against the embedded sandbox Mastodon
 * and the real worker, on a fresh Redis prefix, with time compressed. The
 * rehearsal plays the operator (task changes at their planned times), users
 * (questions) and, with `outage`, the instance going down.
 */
export async function rehearse(options: RehearseOptions): Promise<RehearsalResult> {
  const wallStart = Date.now();
  const loaded = typeof options.schedule === 'string' ? loadSchedule(options.schedule) : options.schedule;
  const fallbackHandle = options.outage && options.fallback !== false ? accountOf(loaded.fallbackAccount ?? DEFAULT_FALLBACK_ACCOUNT) : null;
  const schedule: Schedule = fallbackHandle && !loaded.fallbackAccount ? { ...loaded, fallbackAccount: DEFAULT_FALLBACK_ACCOUNT } : loaded;
  const speed = options.speed ?? DEFAULT_SPEED;
  const windowSpeed = options.windowSpeed ?? Math.min(speed, DEFAULT_WINDOW_SPEED);
  const eventSpeed = options.eventSpeed ?? Math.min(windowSpeed, DEFAULT_EVENT_SPEED);
  const scenario = options.scenario ?? 'complete';
  const questions = options.questions ?? loadQuestions(options.questionsFile);
  const script = options.scriptFile ? loadScript(options.scriptFile, schedule) : undefined;
  const plan = planRehearsal(schedule, { speed, windowSpeed, eventSpeed, scenario, script, questions, outage: options.outage ?? false });
  const out = options.out ?? (() => undefined);
  const redisUrl = options.redisUrl ?? process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const log: Logger = pino({ level: options.logLevel ?? 'error', base: { service: 'herold-rehearsal' } }, pino.destination({ fd: 2, sync: true }));

  // Redis first: without it there is nothing to rehearse, and the answer should come at once.
  const admin = redisConnection(redisUrl, 'producer');
  admin.on('error', () => undefined);
  await connectOrExplain(admin, redisUrl);

  const prefix = `{herold-probe-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}}`;
  const bot = DEFAULT_ACCOUNT.username;
  let sandbox: Sandbox | null = null;
  let fallbackSandbox: Sandbox | null = null;
  let service: HeroldService | null = null;
  let observer: SandboxObserver | null = null;
  let fallbackObserver: SandboxObserver | null = null;
  let poller: NodeJS.Timeout | null = null;
  const events: TranscriptEvent[] = [];
  const questionIds: string[] = [];
  let barShown = '';
  let outcome: RehearsalOutcome = 'unfinished';
  let clock: VirtualClock | null = null;
  let world: CheckWorld | null = null;
  let checkWatch: NodeJS.Timeout | null = null;

  const tty = options.tty ?? null;
  const clearBar = () => {
    if (tty && barShown) tty.write('\r\x1b[2K');
    barShown = '';
  };
  const emit = (fresh: readonly TranscriptEvent[]) => {
    if (fresh.length === 0) return;
    clearBar();
    for (const event of fresh) {
      events.push(event);
      for (const line of terminalLines(event)) out(line);
    }
    drawBar();
  };
  const drawBar = () => {
    if (!tty || !clock || !observer) return;
    const total = clock.realAt(plan.expectedEnd) - clock.realStart;
    const bar = progressBar((Date.now() - clock.realStart) / total, clock.now(), observer.summary());
    const width = Math.max(20, (tty.columns || 80) - 1);
    const line = [...bar].slice(0, width).join('');
    if (line === barShown) return;
    barShown = line;
    tty.write(`\r\x1b[2K${barShown}`);
  };

  let statusPage: string | null = null;
  let finalProgress: string | null = null;
  try {
    sandbox = await startSandbox({ domain: schedule.instance, maxCharacters: schedule.maxCharacters, mastodonVersion: options.mastodonVersion });
    for (const user of new Set(plan.actions.flatMap((a) => (a.type === 'question' ? [a.user] : [])))) sandbox.addAccount({ username: user, displayName: user[0]!.toUpperCase() + user.slice(1) });
    // Task checks look at local stand-ins that change when the plan has the task done; the checks,
    // not the rehearsal's operator, then confirm those tasks (ask: the operator confirms once "bereit").
    const doneAt = new Map(plan.actions.flatMap((a) => (a.type === 'task' && a.status === 'done' ? [[a.taskId, a.at] as const] : [])).reverse());
    world = await CheckWorld.build(schedule, sandbox, doneAt);
    const checked = new Set(world.checkedTasks);
    const steps: Step[] = [
      ...plan.actions.filter((a) => !(a.type === 'task' && a.status === 'done' && checked.has(a.taskId))),
      ...world.changes.map((change) => ({ type: 'world' as const, at: change.at, change })),
    ].sort((a, b) => a.at.toMillis() - b.at.toMillis());

    if (fallbackHandle) {
      fallbackSandbox = await startSandbox({
        domain: fallbackHandle.domain,
        maxCharacters: schedule.maxCharacters,
        accounts: [{ username: fallbackHandle.username, token: FALLBACK_TOKEN, scopes: ['read', 'write'], bot: true, displayName: `${schedule.instance} (Ausweichkonto)` }],
      });
    }
    const tuning = Object.fromEntries(TUNING.flatMap((name) => (process.env[name] ? [[name, process.env[name]]] : [])));
    const base = loadConfig({
      ...tuning,
      MASTODON_URL: sandbox.url,
      MASTODON_ACCESS_TOKEN: DEFAULT_ACCOUNT.token!,
      REDIS_URL: redisUrl,
      HOST: '127.0.0.1',
      PORT: String(options.port ?? 0),
      HEROLD_PREFIX: prefix,
      LOG_LEVEL: 'silent',
      ...(fallbackSandbox ? { FALLBACK_MASTODON_URL: fallbackSandbox.url, FALLBACK_MASTODON_ACCESS_TOKEN: FALLBACK_TOKEN } : {}),
    });

    // Anchored far ahead while Herold boots (a cold start takes over a second), then moved to now, below.
    clock = new VirtualClock({ start: plan.clockStart, speed: plan.speed, segments: plan.segments, realStart: Date.now() + BOOT_SLACK_MS });
    const config: Config = {
      ...base,
      // Lateness in a rehearsal is the worker's real latency times the speed: judge it in real time, so
      // a reminder a few real milliseconds late is not "20 minutes late". Equivalent to not scaling it.
      graceMs: base.graceMs * clock.maxSpeed,
      // Retries while the instance is down wait real time; scaled, they find it back within a
      // few virtual minutes, as they would on the day (30 s against an hour of downtime).
      maxBackoffMs: Math.max(20, Math.round(base.maxBackoffMs / plan.windowSpeed)),
    };
    const virtual = clock;
    observer = new SandboxObserver(sandbox, bot, schedule.id, (ms) => virtual.virtualAt(ms));
    const watch = observer;
    if (fallbackSandbox && fallbackHandle) {
      fallbackObserver = new SandboxObserver(fallbackSandbox, fallbackHandle.username, schedule.id, (ms) => virtual.virtualAt(ms), schedule.fallbackAccount!);
    }
    const fallbackWatch = fallbackObserver;
    const pollAll = () => [...watch.poll(), ...(fallbackWatch?.poll() ?? [])].sort((a, b) => a.at.toMillis() - b.at.toMillis());

    service = await startHerold({
      config,
      schedules: new Map([[schedule.id, schedule]]),
      log,
      clock,
      now: () => virtual.now(),
      // A fast clock would ask for a run every few milliseconds; ten a second are plenty.
      checks: { route: world.route, minIntervalMs: CHECK_MIN_INTERVAL_MS },
    });
    statusPage = service.httpUrl ? `${service.httpUrl}/s/${encodeURIComponent(schedule.id)}` : null;
    // Booted: start the day now, and let Herold bring its delayed jobs in line with the moved clock.
    clock.restartAt(Date.now() + (options.leadRealMs ?? 200));
    await service.operations.upsert(schedule);
    await service.checks.runner.ensure(schedule);

    const expectedRealS = (clock.realAt(plan.expectedEnd) - wallStart) / 1000;
    out(`Probe: ${schedule.id} (${schedule.instance}), ${shortDay(plan.clockStart)} bis ${shortDay(plan.expectedEnd)}${plan.actions.some((a) => a.type === 'outage') ? ', mit Ausfall' : ''}`);
    out(`Tempo: ${fmt(plan.speed)}-fach, im Wartungsfenster ${fmt(plan.windowSpeed)}-fach, rund um geplante Tröts und Fragen ${fmt(plan.eventSpeed)}-fach; Dauer etwa ${Math.ceil(expectedRealS)} s.`);
    out(`Sandbox-Mastodon: ${sandbox.url} (Konto @${bot}); Statusseite: ${statusPage ?? '(kein HTTP)'}`);
    if (fallbackSandbox) out(`Ausweichkonto: ${schedule.fallbackAccount} auf ${fallbackSandbox.url}`);
    out('');

    poller = setInterval(() => {
      emit(pollAll());
      drawBar();
    }, 50);
    const checks = new CheckWatch(schedule, service, virtual, checked, emit);
    checkWatch = setInterval(() => void checks.look(), 50);

    // The rehearsal's own part of the day: operator, users, outage.
    for (const action of steps) {
      await waitReal(clock.realUntil(action.at), options.signal);
      if (options.signal?.aborted) break;
      await perform(action, { schedule, service, sandbox, fallback: fallbackSandbox !== null, questionIds, emit: (e) => emit([e]) });
    }

    // Then until the outcome is out and everything has settled.
    const giveUpAt = clock.realAt(plan.expectedEnd) + (options.overtimeMs ?? 60_000);
    let finalSeenAt = 0;
    for (;;) {
      if (options.signal?.aborted) {
        outcome = 'aborted';
        break;
      }
      emit(pollAll());
      const progress = await service.store.progress(schedule);
      const phase = progress.phase;
      if (phase === 'complete' || phase === 'backout' || phase === 'cancelled') {
        const finalToot = phase === 'cancelled' ? 'cancelled' : phase;
        const start = watch.posted('start');
        const [version, edited, pending, active] = await Promise.all([
          service.store.version(schedule.id),
          service.store.edits(schedule.id),
          service.jobs.pending(schedule.id),
          service.jobs.queue.getActiveCount(),
        ]);
        const settled =
          (watch.posted(finalToot) !== undefined || (phase === 'cancelled' && !start)) &&
          (!start || !start.pinned) &&
          (!start || (edited.shown.primary ?? -1) >= version) &&
          pending.every((j) => j.data.type === 'deadline') &&
          active === 0;
        if (settled && finalSeenAt === 0) finalSeenAt = Date.now();
        const answersDone = watch.answered(questionIds) >= questionIds.length || Date.now() - finalSeenAt > 1500;
        if (settled && answersDone && Date.now() - watch.quietSince > 300) {
          outcome = phase;
          break;
        }
        if (!settled) finalSeenAt = 0;
      }
      if (Date.now() > giveUpAt) break;
      await waitReal(50, options.signal);
    }
    emit(pollAll());
    finalProgress = watch.currentText('start') ?? null;
    if (finalProgress) {
      clearBar();
      out('');
      out('Der Fortschritts-Tröt am Ende:');
      for (const line of finalProgress.split('\n')) out(`                 │ ${line}`);
    }

    const report = await service.operations.status(schedule.id);
    const late: TranscriptEvent[] = [];
    for (const p of report.posted) if (p.skipped) late.push({ type: 'skipped', at: DateTime.fromISO(p.at, { zone: schedule.timezone }), tootId: p.tootId, reason: p.skipped });
    for (const f of report.failures) late.push({ type: 'failure', at: clock.virtualAt(Date.parse(f.at)), tootId: f.tootId, message: f.message });
    emit(late);
  } finally {
    if (poller) clearInterval(poller);
    if (checkWatch) clearInterval(checkWatch);
    clearBar();
    if (service) await service.close().catch(() => undefined);
    if (sandbox) await sandbox.close().catch(() => undefined);
    if (fallbackSandbox) await fallbackSandbox.close().catch(() => undefined);
    if (world) await world.close();
    await deleteKeys(admin, prefix).catch(() => undefined);
    admin.disconnect();
  }

  const counts = observer!.summary();
  const problems = checkToots(schedule, events, outcome);
  const wallMs = Date.now() - wallStart;
  const ok = (outcome === 'complete' || outcome === 'backout' || outcome === 'cancelled') && problems.length === 0 && counts.duplicates === 0;
  const sorted = events.map((e, i) => ({ e, i })).sort((a, b) => a.e.at.toMillis() - b.e.at.toMillis() || a.i - b.i).map(({ e }) => e);
  const markdown = transcriptMarkdown(
    {
      scheduleId: schedule.id,
      instance: schedule.instance,
      file: path.relative(process.cwd(), schedule.file) || schedule.file,
      scenario: script ? `Skript ${options.scriptFile}` : scenario === 'complete' ? 'alles gelingt' : 'Back-out',
      outage: options.outage ?? false,
      speed: plan.speed,
      windowSpeed: plan.windowSpeed,
      eventSpeed: plan.eventSpeed,
      window: plan.window,
      startedAt: DateTime.fromMillis(wallStart),
      statusPage,
      sandboxUrl: sandbox!.url,
      fallbackAccount: fallbackSandbox ? schedule.fallbackAccount : null,
    },
    sorted,
    { outcome: OUTCOME_TEXT[outcome], counts, wallMs, problems, finalProgress },
  );
  let transcriptPath: string | null = null;
  if (options.transcript !== false) {
    transcriptPath = options.transcript ?? path.join('rehearsals', `${schedule.id}-${DateTime.now().toFormat("yyyyMMdd'-'HHmmss")}.md`);
    mkdirSync(path.dirname(transcriptPath), { recursive: true });
    writeFileSync(transcriptPath, markdown);
  }
  const summary =
    `${ok ? '✔' : '✘'} ${OUTCOME_TEXT[outcome]} in ${(wallMs / 1000).toFixed(1).replace('.', ',')} s: ` +
    `${counts.toots} Tröts, ${counts.edits} Bearbeitungen, ${counts.replies} Antworten auf ${counts.questions} Fragen, ` +
    `${counts.rateLimited} × HTTP 429, ${counts.duplicates} Duplikate` +
    (transcriptPath ? `. Protokoll: ${transcriptPath}` : '');
  return { ok, outcome, counts, problems, events: sorted, markdown, transcriptPath, statusPage, wallMs, summary, plan, prefix };
}

interface ActionContext {
  readonly schedule: Schedule;
  readonly service: HeroldService;
  readonly sandbox: Sandbox;
  /** A fallback account takes the toots while the instance is down. */
  readonly fallback: boolean;
  readonly questionIds: string[];
  readonly emit: (event: TranscriptEvent) => void;
}

/** A step of the rehearsal's day: an action of the plan, or a change in the world the task checks look at. */
type Step = RehearsalAction | { readonly type: 'world'; readonly at: DateTime; readonly change: WorldChange };

/** Real ms between two runs of a check at most; see CheckRunnerDeps.minIntervalMs. */
const CHECK_MIN_INTERVAL_MS = 100;

/**
 * Follows the task checks for the transcript, and plays the operator who
 * confirms a task the moment its check marks it "bereit".
 */
class CheckWatch {
  private readonly told = new Set<string>();
  private busy = false;

  constructor(
    private readonly schedule: Schedule,
    private readonly service: HeroldService,
    private readonly clock: VirtualClock,
    private readonly checked: ReadonlySet<string>,
    private readonly emit: (events: readonly TranscriptEvent[]) => void,
  ) {}

  async look(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      const { schedule, service } = this;
      const [progress, ready, records] = await Promise.all([service.store.progress(schedule), service.store.ready(schedule.id), service.checks.store.all(schedule.id)]);
      for (const task of schedule.tasks) {
        if (!task.check || !this.checked.has(task.id)) continue;
        const record = records.get(task.id) ?? null;
        const at = this.clock.now();
        const say = (key: string, text: string) => {
          if (this.told.has(`${task.id}:${key}`)) return false;
          this.told.add(`${task.id}:${key}`);
          this.emit([{ type: 'check', at, taskId: task.id, title: task.title, text }]);
          return true;
        };
        const spread = checkView(task.check, record, schedule.timezone, at).propagation;
        if (spread && spread.seeing > 0) say(`spread-${spread.seeing}`, spread.text + (spread.everyoneByText ? `. ${spread.everyoneByText}` : ''));
        if (shownStatus(progress.tasks[task.id]!, ready[task.id]) === 'ready' && say('ready', `bereit (${record?.summary ?? 'bestanden'}); die Betreiberin bestätigt`)) {
          await service.operations.taskChange(schedule.id, task.id, 'done', null);
          this.emit([{ type: 'task', at, taskId: task.id, title: task.title, status: 'done', note: 'nach der Prüfung bestätigt' }]);
        }
        if (record?.acted?.action === 'done' && say('done', `bestätigt die Aufgabe selbst (${record.summary})`)) {
          this.emit([{ type: 'task', at, taskId: task.id, title: task.title, status: 'done', note: 'von der Prüfung bestätigt' }]);
        }
      }
    } catch {
      // The next look tries again; the rehearsal's end check reports what never happened.
    } finally {
      this.busy = false;
    }
  }
}

async function perform(action: Step, ctx: ActionContext): Promise<void> {
  const { schedule, service, sandbox } = ctx;
  switch (action.type) {
    case 'world':
      action.change.apply();
      ctx.emit({ type: 'world', at: action.at, taskId: action.change.taskId, text: action.change.text });
      return;
    case 'task': {
      await service.operations.taskChange(schedule.id, action.taskId, action.status, action.note);
      const title = schedule.tasks.find((t) => t.id === action.taskId)!.title;
      ctx.emit({ type: 'task', at: action.at, taskId: action.taskId, title, status: action.status, note: action.note });
      return;
    }
    case 'window': {
      try {
        if (action.action === 'extend') {
          const deadline = await service.operations.extend(schedule.id, action.to!);
          ctx.emit({ type: 'window', at: action.at, text: `Frist verlängert bis ${deadline.toFormat('HH:mm')}` });
        } else {
          await service.operations.declare(schedule.id, action.action);
          const text = { backout: 'Back-out erklärt', complete: 'Abschluss erklärt', cancel: 'Wartung abgesagt' }[action.action];
          ctx.emit({ type: 'window', at: action.at, text });
        }
      } catch (error) {
        ctx.emit({ type: 'window', at: action.at, text: `abgelehnt: ${(error as Error).message}` });
      }
      return;
    }
    case 'question': {
      const status = sandbox.mention(action.user, action.text);
      ctx.questionIds.push(status.id);
      return;
    }
    case 'outage': {
      await sandbox.setOutage(action.down ? 'refuse' : 'none');
      const followAt = [
        ...(schedule.statusPage ? [`auf ${schedule.statusPage}`] : []),
        ...(ctx.fallback && schedule.fallbackAccount ? [`bei ${schedule.fallbackAccount}`] : []),
      ];
      ctx.emit({ type: 'outage', at: action.at, down: action.down, ...(action.down ? { followAt } : {}) });
      return;
    }
  }
}

/** Toots that should be out by the outcome, but are not (or went out twice). */
function checkToots(schedule: Schedule, events: readonly TranscriptEvent[], outcome: RehearsalOutcome): string[] {
  const posted = events.flatMap((e) => (e.type === 'toot' && e.tootId ? [e.tootId] : []));
  const has = (id: string) => posted.includes(id);
  const problems: string[] = [];
  for (const e of events) {
    if (e.type === 'skipped') problems.push(`${e.tootId} wurde übersprungen (${e.reason})`);
    if (e.type === 'failure') problems.push(`${e.tootId} ist fehlgeschlagen: ${e.message}`);
    if (e.type === 'toot' && e.duplicate) problems.push(`${e.tootId ?? e.statusId} ging doppelt hinaus`);
  }
  if (outcome === 'unfinished' || outcome === 'aborted' || outcome === 'cancelled') return problems;
  const expected = [
    ...schedule.announcements.map((a) => a.id),
    ...schedule.reminders.map((r) => reminderTootId(r.id, schedule.window.start)),
    'start',
    ...schedule.tasks
      .filter((t) => t.milestone !== null && events.some((e) => e.type === 'task' && e.taskId === t.id && e.status === 'done'))
      .map((t) => milestoneTootId(t.id)),
    outcome,
  ];
  for (const id of expected) if (!has(id) && !problems.some((p) => p.startsWith(`${id} `))) problems.push(`${id} fehlt`);
  return problems;
}

async function deleteKeys(redis: RedisConnection, prefix: string): Promise<void> {
  // On a cluster SCAN sees one node's keys: ask every master (the prefix's hash tag puts all keys on one).
  for (const node of serversOf(redis)) {
    let cursor = '0';
    do {
      const [next, keys] = await node.scan(cursor, 'MATCH', `${prefix.replace(/[*?[\]\\]/g, '\\$&')}*`, 'COUNT', 500);
      cursor = next;
      if (keys.length > 0) await node.del(...keys);
    } while (cursor !== '0');
  }
}

const fmt = (n: number) => n.toLocaleString('de-AT');
const shortDay = (at: DateTime) => at.setLocale('de-AT').toFormat('dd.MM.yyyy HH:mm');
