import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { DateTime } from 'luxon';
import { pino, type Logger } from 'pino';
import { loadConfig, type Config } from '../config/config.ts';
import { startHerold, type HeroldService } from '../app/herold-service.ts';
import type { LabelledQuestion } from '../faq/index.ts';
import { connectOrExplain, redisConnection, type RedisConnection } from '../adapters/redis/connect.ts';
import { deletePrefix } from '../adapters/redis/delete-prefix.ts';
import { DEFAULT_ACCOUNT, startSandbox, type MastodonVersion, type Sandbox } from '../sandbox/index.ts';
import { loadSchedule } from '../schedule/load-schedule.ts';
import type { Schedule } from '../schedule/schedule.ts';
import type { Scenario } from '../render/timeline.ts';
import { CheckWatch } from './check-watch.ts';
import { CheckWorld } from './check-world.ts';
import { LiveTranscript, type Tty } from './live-transcript.ts';
import { missingToots } from './missing-toots.ts';
import { SandboxObserver, type ObserverCounts, type TranscriptEvent } from './observer.ts';
import { awaitOutcome, OUTCOME_TEXT, type RehearsalOutcome } from './outcome.ts';
import { loadQuestions, loadScript, planRehearsal, type RehearsalPlan } from './plan.ts';
import { playStep, type Step } from './play-step.ts';
import { transcriptMarkdown } from './transcript.ts';
import { VirtualClock } from './virtual-clock.ts';
import { waitReal } from './wait-real.ts';

export type { RehearsalOutcome } from './outcome.ts';

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
  readonly tty?: Tty | null;
  readonly logLevel?: string;
  /** Give up this long (real ms) after the expected end. Default 60 s. */
  readonly overtimeMs?: number;
  /** Aborts the rehearsal (e.g. Ctrl-C); it still cleans up and writes the transcript. */
  readonly signal?: AbortSignal;
  /** Real milliseconds between Herold being up and the virtual clock starting. Default 200. */
  readonly leadRealMs?: number;
}

export interface RehearsalResult {
  readonly ok: boolean;
  readonly outcome: RehearsalOutcome;
  readonly counts: ObserverCounts;
  /** Toot ids that should have gone out but did not, or were skipped. */
  readonly problems: readonly string[];
  readonly events: readonly TranscriptEvent[];
  /** The transcript as Markdown, and where it was written (null with `transcript: false`). */
  readonly transcript: { readonly markdown: string; readonly path: string | null };
  /** The status page's address while the rehearsal ran, if it served one. */
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

/** Tuning variables an operator may set for the rehearsal; everything else is the rehearsal's own. */
const TUNING = ['HEROLD_GRACE_MS', 'HEROLD_COALESCE_MS', 'HEROLD_MAX_BACKOFF_MS', 'HEROLD_REQUEST_TIMEOUT_MS'] as const;

/** Real ms between two runs of a check at most; see CheckRunnerDeps.minIntervalMs. */
const CHECK_MIN_INTERVAL_MS = 100;

/** How often the rehearsal looks at the sandbox and the task checks (real ms). */
const LOOK_MS = 50;

/**
 * `herold rehearse`: the whole schedule against the embedded sandbox Mastodon
 * and the real worker, on a fresh Redis prefix, with time compressed. The
 * rehearsal plays the operator (task changes at their planned times), users
 * (questions) and, with `outage`, the instance going down. It watches
 * Herold only from outside: the sandbox, Herold's state store and job queue.
 */
export async function rehearse(options: RehearseOptions): Promise<RehearsalResult> {
  const wallStart = Date.now();
  const day = planDay(options);
  const redisUrl = options.redisUrl ?? process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  // Redis first: without it there is nothing to rehearse, and the answer should come at once.
  const admin = await connectRedis(redisUrl);
  const prefix = `{herold-probe-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}}`;
  const transcript = new LiveTranscript(options.out ?? (() => undefined), options.tty ?? null);
  const cleanup = new Cleanup();
  cleanup.add(async () => {
    await deletePrefix(admin, prefix).catch(() => undefined);
    admin.disconnect();
  });

  let outcome: RehearsalOutcome = 'unfinished';
  let stage: Stage | undefined;
  let herold: Herold | undefined;
  let finalProgress: string | null = null;
  try {
    stage = await setStage(day, options.mastodonVersion, cleanup);
    herold = await bootHerold(day, stage, { redisUrl, prefix, options }, cleanup);
    announce(day, stage, herold, wallStart, options.out ?? (() => undefined));
    const questionIds: string[] = [];
    watchTheDay(day, stage, herold, transcript, cleanup);
    await playTheDay(
      stage.steps,
      { schedule: day.schedule, service: herold.service, sandbox: stage.sandbox, fallback: stage.fallbackSandbox !== null, questionIds, emit: (e) => transcript.emit([e]) },
      herold.clock,
      options.signal,
    );
    outcome = await awaitOutcome({
      schedule: day.schedule,
      service: herold.service,
      observer: herold.observer,
      look: () => herold!.look(),
      questionIds,
      emit: (events) => transcript.emit(events),
      giveUpAt: herold.clock.realAt(day.plan.expectedEnd) + (options.overtimeMs ?? 60_000),
      signal: options.signal,
    });
    transcript.emit(herold.look());
    finalProgress = herold.observer.currentText('start') ?? null;
    if (finalProgress) showFinalProgress(finalProgress, transcript, options.out ?? (() => undefined));
    transcript.emit(await skippedAndFailed(day.schedule, herold));
  } finally {
    await cleanup.run();
  }
  return report(day, { stage: stage!, herold: herold!, transcript, outcome, finalProgress, wallStart, prefix, options });
}

/** The schedule and the plan of its compressed day. */
interface Day {
  readonly schedule: Schedule;
  /** With an outage: the fallback account, on a second sandbox. */
  readonly fallback: { readonly username: string; readonly domain: string } | null;
  readonly plan: RehearsalPlan;
  readonly scenario: Scenario;
  readonly scripted: boolean;
}

function planDay(options: RehearseOptions): Day {
  const loaded = typeof options.schedule === 'string' ? loadSchedule(options.schedule) : options.schedule;
  const fallback = options.outage && options.fallback !== false ? accountOf(loaded.fallbackAccount ?? DEFAULT_FALLBACK_ACCOUNT) : null;
  const schedule: Schedule = fallback && !loaded.fallbackAccount ? { ...loaded, fallbackAccount: DEFAULT_FALLBACK_ACCOUNT } : loaded;
  const speed = options.speed ?? DEFAULT_SPEED;
  const windowSpeed = options.windowSpeed ?? Math.min(speed, DEFAULT_WINDOW_SPEED);
  const eventSpeed = options.eventSpeed ?? Math.min(windowSpeed, DEFAULT_EVENT_SPEED);
  const scenario = options.scenario ?? 'complete';
  const questions = options.questions ?? loadQuestions(options.questionsFile);
  const script = options.scriptFile ? loadScript(options.scriptFile, schedule) : undefined;
  const plan = planRehearsal(schedule, { speed, windowSpeed, eventSpeed, scenario, script, questions, outage: options.outage ?? false });
  return { schedule, fallback, plan, scenario, scripted: script !== undefined };
}

async function connectRedis(redisUrl: string): Promise<RedisConnection> {
  const admin = redisConnection(redisUrl, 'producer');
  admin.on('error', () => undefined);
  await connectOrExplain(admin, redisUrl);
  return admin;
}

/** The sandbox with the plan's users, the world the task checks look at, and the day's steps in time order. */
interface Stage {
  readonly sandbox: Sandbox;
  /** The fallback account's instance, with an outage. */
  readonly fallbackSandbox: Sandbox | null;
  readonly world: CheckWorld;
  /** Tasks that their checks confirm (the rehearsal's operator leaves them alone). */
  readonly checked: ReadonlySet<string>;
  readonly steps: readonly Step[];
}

async function setStage({ schedule, plan, fallback }: Day, mastodonVersion: MastodonVersion | undefined, cleanup: Cleanup): Promise<Stage> {
  const sandbox = await startSandbox({ domain: schedule.instance, maxCharacters: schedule.maxCharacters, mastodonVersion });
  cleanup.add(() => sandbox.close());
  for (const user of new Set(plan.actions.flatMap((a) => (a.type === 'question' ? [a.user] : [])))) sandbox.addAccount({ username: user, displayName: user[0]!.toUpperCase() + user.slice(1) });
  // Task checks look at local stand-ins that change when the plan has the task done; the checks,
  // not the rehearsal's operator, then confirm those tasks (ask: the operator confirms once "bereit").
  const doneAt = new Map(plan.actions.flatMap((a) => (a.type === 'task' && a.status === 'done' ? [[a.taskId, a.at] as const] : [])).reverse());
  const world = await CheckWorld.build(schedule, sandbox, doneAt);
  cleanup.add(() => world.close());
  const checked = new Set(world.checkedTasks);
  const steps: Step[] = [
    ...plan.actions.filter((a) => !(a.type === 'task' && a.status === 'done' && checked.has(a.taskId))),
    ...world.changes.map((change) => ({ type: 'world' as const, at: change.at, change })),
  ].sort((a, b) => a.at.toMillis() - b.at.toMillis());
  const fallbackSandbox = fallback
    ? await startSandbox({
        domain: fallback.domain,
        maxCharacters: schedule.maxCharacters,
        accounts: [{ username: fallback.username, token: FALLBACK_TOKEN, scopes: ['read', 'write'], bot: true, displayName: `${schedule.instance} (Ausweichkonto)` }],
      })
    : null;
  if (fallbackSandbox) cleanup.add(() => fallbackSandbox.close());
  return { sandbox, fallbackSandbox, world, checked, steps };
}

/** Herold running against the sandbox on the virtual clock, and what watches it from outside. */
interface Herold {
  readonly service: HeroldService;
  readonly clock: VirtualClock;
  /** Watches the instance's sandbox. */
  readonly observer: SandboxObserver;
  /** What is new on both sandboxes, in time order. */
  look(): TranscriptEvent[];
  readonly statusPage: string | null;
}

async function bootHerold(
  { schedule, plan, fallback }: Day,
  { sandbox, fallbackSandbox, world }: Stage,
  { redisUrl, prefix, options }: { redisUrl: string; prefix: string; options: RehearseOptions },
  cleanup: Cleanup,
): Promise<Herold> {
  const log: Logger = pino({ level: options.logLevel ?? 'error', base: { service: 'herold-rehearsal' } }, pino.destination({ fd: 2, sync: true }));
  // Anchored far ahead while Herold boots (a cold start takes over a second), then moved to now, below.
  const clock = new VirtualClock({ start: plan.clockStart, speed: plan.speed, segments: plan.segments, realStart: Date.now() + BOOT_SLACK_MS });
  const config = rehearsalConfig(plan, clock, { sandboxUrl: sandbox.url, fallbackUrl: fallbackSandbox?.url ?? null, redisUrl, prefix, port: options.port ?? 0 });
  const observer = new SandboxObserver(sandbox, DEFAULT_ACCOUNT.username, schedule.id, (ms) => clock.virtualAt(ms));
  const fallbackObserver =
    fallbackSandbox && fallback ? new SandboxObserver(fallbackSandbox, fallback.username, schedule.id, (ms) => clock.virtualAt(ms), schedule.fallbackAccount!) : null;
  const look = () => [...observer.poll(), ...(fallbackObserver?.poll() ?? [])].sort((a, b) => a.at.toMillis() - b.at.toMillis());
  const service = await startHerold({
    config,
    schedules: new Map([[schedule.id, schedule]]),
    log,
    clock,
    now: () => clock.now(),
    // A fast clock would ask for a run every few milliseconds; ten a second are plenty.
    checks: { route: world.route, minIntervalMs: CHECK_MIN_INTERVAL_MS },
  });
  cleanup.add(() => service.close());
  const statusPage = service.httpUrl ? `${service.httpUrl}/s/${encodeURIComponent(schedule.id)}` : null;
  // Booted: start the day now, and let Herold bring its delayed jobs in line with the moved clock.
  clock.restartAt(Date.now() + (options.leadRealMs ?? 200));
  await service.operations.upsert(schedule);
  await service.checks.runner.ensure(schedule);
  return { service, clock, observer, look, statusPage };
}

/** Herold's configuration for the rehearsal: the sandbox, the fresh prefix, and times judged at the clock's speed. */
function rehearsalConfig(plan: RehearsalPlan, clock: VirtualClock, at: { sandboxUrl: string; fallbackUrl: string | null; redisUrl: string; prefix: string; port: number }): Config {
  const tuning = Object.fromEntries(TUNING.flatMap((name) => (process.env[name] ? [[name, process.env[name]]] : [])));
  const base = loadConfig({
    ...tuning,
    MASTODON_URL: at.sandboxUrl,
    MASTODON_ACCESS_TOKEN: DEFAULT_ACCOUNT.token!,
    REDIS_URL: at.redisUrl,
    HOST: '127.0.0.1',
    PORT: String(at.port),
    HEROLD_PREFIX: at.prefix,
    LOG_LEVEL: 'silent',
    ...(at.fallbackUrl ? { FALLBACK_MASTODON_URL: at.fallbackUrl, FALLBACK_MASTODON_ACCESS_TOKEN: FALLBACK_TOKEN } : {}),
  });
  return {
    ...base,
    // Lateness in a rehearsal is the worker's real latency times the speed: judge it in real time, so
    // a reminder a few real milliseconds late is not "20 minutes late". Equivalent to not scaling it.
    graceMs: base.graceMs * clock.maxSpeed,
    // Retries while the instance is down wait real time; scaled, they find it back within a
    // few virtual minutes, as they would on the day (30 s against an hour of downtime).
    maxBackoffMs: Math.max(20, Math.round(base.maxBackoffMs / plan.windowSpeed)),
  };
}

function announce({ schedule, plan }: Day, { sandbox, fallbackSandbox }: Stage, { clock, statusPage }: Herold, wallStart: number, out: (line: string) => void): void {
  const expectedRealS = (clock.realAt(plan.expectedEnd) - wallStart) / 1000;
  out(`Probe: ${schedule.id} (${schedule.instance}), ${shortDay(plan.clockStart)} bis ${shortDay(plan.expectedEnd)}${plan.actions.some((a) => a.type === 'outage') ? ', mit Ausfall' : ''}`);
  out(`Tempo: ${fmt(plan.speed)}-fach, im Wartungsfenster ${fmt(plan.windowSpeed)}-fach, rund um geplante Tröts und Fragen ${fmt(plan.eventSpeed)}-fach; Dauer etwa ${Math.ceil(expectedRealS)} s.`);
  out(`Sandbox-Mastodon: ${sandbox.url} (Konto @${DEFAULT_ACCOUNT.username}); Statusseite: ${statusPage ?? '(kein HTTP)'}`);
  if (fallbackSandbox) out(`Ausweichkonto: ${schedule.fallbackAccount} auf ${fallbackSandbox.url}`);
  out('');
}

/** Looks at the sandbox (toots, edits, answers) and the task checks every LOOK_MS, for the transcript. */
function watchTheDay({ schedule, plan }: Day, { checked }: Stage, { service, clock, observer, look }: Herold, transcript: LiveTranscript, cleanup: Cleanup): void {
  transcript.follow(clock, observer, plan.expectedEnd);
  const sandboxLook = setInterval(() => {
    transcript.emit(look());
    transcript.drawBar();
  }, LOOK_MS);
  const checks = new CheckWatch(schedule, service, clock, checked, (events) => transcript.emit(events));
  const checkLook = setInterval(() => void checks.look(), LOOK_MS);
  cleanup.add(() => {
    clearInterval(sandboxLook);
    clearInterval(checkLook);
    transcript.clearBar();
  });
}

/** The rehearsal's own part of the day, each step at its virtual time: operator, users, outage. */
async function playTheDay(steps: readonly Step[], context: Parameters<typeof playStep>[1], clock: VirtualClock, signal: AbortSignal | undefined): Promise<void> {
  for (const step of steps) {
    await waitReal(clock.realUntil(step.at), signal);
    if (signal?.aborted) return;
    await playStep(step, context);
  }
}

/** The progress toot as it ends, under the transcript lines. */
function showFinalProgress(text: string, transcript: LiveTranscript, out: (line: string) => void): void {
  transcript.clearBar();
  out('');
  out('Der Fortschritts-Tröt am Ende:');
  for (const line of text.split('\n')) out(`                 │ ${line}`);
}

/** Toots Herold skipped and jobs that failed, from `herold status`'s report. */
async function skippedAndFailed(schedule: Schedule, { service, clock }: Herold): Promise<TranscriptEvent[]> {
  const report = await service.operations.status(schedule.id);
  return [
    ...report.posted.flatMap((p) => (p.skipped ? [{ type: 'skipped' as const, at: DateTime.fromISO(p.at, { zone: schedule.timezone }), tootId: p.tootId, reason: p.skipped }] : [])),
    ...report.failures.map((f) => ({ type: 'failure' as const, at: clock.virtualAt(Date.parse(f.at)), tootId: f.tootId, message: f.message })),
  ];
}

/** The verdict, the Markdown transcript (written unless told not to) and the one-line summary. */
function report(
  { schedule, plan, scenario, scripted }: Day,
  run: { stage: Stage; herold: Herold; transcript: LiveTranscript; outcome: RehearsalOutcome; finalProgress: string | null; wallStart: number; prefix: string; options: RehearseOptions },
): RehearsalResult {
  const { herold, outcome, wallStart, options } = run;
  const counts = herold.observer.summary();
  const problems = missingToots(schedule, run.transcript.events, outcome);
  const wallMs = Date.now() - wallStart;
  const ok = (outcome === 'complete' || outcome === 'backout' || outcome === 'cancelled') && problems.length === 0 && counts.duplicates === 0;
  const events = run.transcript.sorted();
  const markdown = transcriptMarkdown(
    {
      scheduleId: schedule.id,
      instance: schedule.instance,
      file: path.relative(process.cwd(), schedule.file) || schedule.file,
      scenario: scripted ? `Skript ${options.scriptFile}` : scenario === 'complete' ? 'alles gelingt' : 'Back-out',
      outage: options.outage ?? false,
      speed: plan.speed,
      windowSpeed: plan.windowSpeed,
      eventSpeed: plan.eventSpeed,
      window: plan.window,
      startedAt: DateTime.fromMillis(wallStart),
      statusPage: herold.statusPage,
      sandboxUrl: run.stage.sandbox.url,
      fallbackAccount: run.stage.fallbackSandbox ? schedule.fallbackAccount : null,
    },
    events,
    { outcome: OUTCOME_TEXT[outcome], counts, wallMs, problems, finalProgress: run.finalProgress },
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
  return { ok, outcome, counts, problems, events, transcript: { markdown, path: transcriptPath }, statusPage: herold.statusPage, wallMs, summary, plan, prefix: run.prefix };
}

/** What to close at the end, newest first; one failing does not keep the others open. */
class Cleanup {
  private readonly steps: (() => unknown)[] = [];

  add(step: () => unknown): void {
    this.steps.push(step);
  }

  async run(): Promise<void> {
    for (const step of this.steps.reverse()) await Promise.resolve().then(step).catch(() => undefined);
    this.steps.length = 0;
  }
}

const fmt = (n: number) => n.toLocaleString('de-AT');
const shortDay = (at: DateTime) => at.setLocale('de-AT').toFormat('dd.MM.yyyy HH:mm');
