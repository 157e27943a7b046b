import { DateTime } from 'luxon';
import { loadConfig } from '../config/config.ts';
import type { Operations, StatusReport } from '../core/operations.ts';
import { operatorNote } from '../render/operator-note.ts';
import { connectOrExplain, redisConnection } from '../adapters/redis/connect.ts';
import { loadScheduleSources } from '../schedule/load-schedules.ts';
import { parseSchedule } from '../schedule/load-schedule.ts';
import type { Schedule } from '../schedule/schedule.ts';
import type { ScheduleSource } from '../schedule/schedule-source.ts';
import { redactRedisUrl } from '../adapters/redis/redis-url.ts';
import { ServiceRegistry, type Heartbeat } from '../adapters/redis/service-registry.ts';
import { QUEUE_ANYWAY_HINT, runningServiceProblem } from './running-service.ts';
import { HeroldError, UsageError } from '../errors.ts';
import { parseWindowTime } from '../schedule/deadline-input.ts';
import { checkView } from '../checks/check-view.ts';
import { wireCore } from '../app/core-wiring.ts';

export interface OperatorOptions {
  /** Schedule files; default the schedules `herold run` stored, else every file in schedules/. */
  readonly schedules?: string[];
}

/** What an operator command knows besides Operations: the running services and where the schedules came from. */
export interface OperatorSession {
  readonly schedules: ReadonlyMap<string, Schedule>;
  /** The `herold run` processes beating on this Redis and prefix. */
  readonly services: readonly Heartbeat[];
  /** Why a change to `scheduleId` would not take effect now (src/cli/running-service.ts), or null. */
  problem(scheduleId: string): string | null;
  /**
   * For a change: throws (exit 1, nothing queued) when `problem` says so,
   * unless `queueAnyway`, which only warns on stderr.
   */
  requireRunning(scheduleId: string, queueAnyway: boolean | undefined, warn: (line: string) => void): void;
}

/**
 * The schedules a command works on: the files given; else the ones `herold
 * run` stored in Redis (no file needed once it has run); else every file in schedules/.
 */
async function operatorSchedules(files: readonly string[], registry: ServiceRegistry): Promise<{ schedules: Map<string, Schedule>; read: Map<string, ScheduleSource> }> {
  if (files.length === 0) {
    const stored = await registry.storedSources();
    if (stored.size > 0) {
      return { schedules: new Map([...stored].map(([id, source]) => [id, parseSchedule(source.text, source.file, { templates: false })])), read: new Map() };
    }
  }
  const loaded = loadScheduleSources(files);
  return {
    schedules: new Map([...loaded].map(([id, { schedule }]) => [id, schedule])),
    // Only files the operator named are compared with what the service runs.
    read: files.length > 0 ? new Map([...loaded].map(([id, { source }]) => [id, source])) : new Map(),
  };
}

/**
 * Runs one operator action against Redis, the way `herold run` would: the
 * running worker picks up whatever this enqueues. Needs only REDIS_URL.
 */
export async function withOperations<T>(options: OperatorOptions, fn: (ops: Operations, session: OperatorSession) => Promise<T>): Promise<T> {
  const config = loadConfig(process.env, 'redis');
  const redis = redisConnection(config.redisUrl, 'producer');
  redis.on('error', () => undefined);
  await connectOrExplain(redis, config.redisUrl);
  let schedules: Map<string, Schedule>;
  let session: OperatorSession;
  try {
    const registry = new ServiceRegistry(redis, config.prefix);
    const loaded = await operatorSchedules(options.schedules ?? [], registry);
    schedules = loaded.schedules;
    const services = await registry.live();
    const where = { redisUrl: redactRedisUrl(config.redisUrl), prefix: config.prefix };
    const problem = (scheduleId: string) => runningServiceProblem(services, where, scheduleId, loaded.read.get(scheduleId) ?? null);
    session = {
      schedules,
      services,
      problem,
      requireRunning(scheduleId, queueAnyway, warn) {
        const found = problem(scheduleId);
        if (found === null) return;
        if (!queueAnyway) throw new HeroldError(`${found}\n  ${QUEUE_ANYWAY_HINT}`);
        warn(`⚠ ${found} --queue-anyway: trotzdem eingereiht.`);
      },
    };
  } catch (error) {
    redis.disconnect();
    throw error;
  }
  const core = await wireCore({ config, redis, schedules, now: () => DateTime.now() });
  try {
    return await fn(core.operations, session);
  } finally {
    await core.close();
    redis.disconnect();
  }
}

/** `--at`: 16:40 on the window's day, or a full local time, in the schedule's zone. */
export function cliTime(ops: Operations, scheduleId: string, text: string): DateTime {
  const schedule = ops.schedule(scheduleId);
  const parsed = parseWindowTime(text, { zone: schedule.timezone, windowStart: schedule.window.start, deadline: schedule.window.deadline });
  if (!parsed.ok) throw new UsageError(`--at ${parsed.problem.message} ${parsed.problem.hint}`);
  return parsed.value;
}

/** `--note`, cleaned as the webhook cleans it (mentions defused, no links unless HEROLD_NOTE_URLS=on). */
export function cliNote(note: string | undefined, env: NodeJS.ProcessEnv = process.env): string | null {
  if (note === undefined) return null;
  return operatorNote(note, { allowUrls: loadConfig(env, 'redis').noteUrls });
}

/** The services running this schedule, and the version of its file each runs. */
function runningRows(report: StatusReport, services: readonly Heartbeat[]) {
  return services.flatMap((b) =>
    b.schedules.filter((s) => s.id === report.schedule.id).map((s) => ({ instance: b.instance, version: b.version, file: s.file, hash: s.hash, beatAt: b.beatAt, startedAt: b.startedAt, faqProblem: b.faqProblem ?? null })),
  );
}

export function formatStatus(report: StatusReport, services: readonly Heartbeat[] = []): string[] {
  const { schedule } = report;
  const zone = schedule.timezone;
  const fmt = (dt: DateTime | null) => (dt ? dt.setZone(zone).toFormat('dd.MM. HH:mm') : '—');
  const running = runningRows(report, services);
  const lines = [
    `${schedule.id} (${schedule.instance}) · phase: ${report.phase}`,
    `window: ${fmt(schedule.window.start)} → deadline ${fmt(report.deadline)} (${zone})`,
    '',
    'RUNNING (herold run on this Redis and prefix)',
    ...(running.length === 0
      ? ['  (none: changes wait until herold run is started)']
      : table(
          ['service', 'herold', 'schedule file', 'version', 'last beat'],
          running.map((r) => [r.instance, r.version, r.file, r.hash ?? '(not from a file)', fmtTime(Date.parse(r.beatAt), zone)]),
        )),
    ...running.flatMap((r) => (r.faqProblem ? [`  ⚠ ${r.instance} answers no question: its FAQ did not load (${r.faqProblem}). Fix it (herold doctor shows it), then restart herold run.`] : [])),
    '',
    'TASKS',
    ...table(
      ['planned', 'task', 'status', 'changed', 'note'],
      report.tasks.map((t) => [t.at ? t.at.toFormat('HH:mm') : '—', t.id, t.status, fmt(t.changedAt), t.note ?? '']),
    ),
    '',
    'POSTED',
    ...(report.posted.length === 0
      ? ['  (nothing yet)']
      : table(
          ['at', 'toot', 'account', 'status id', 'url'],
          report.posted.map((p) => [fmt(DateTime.fromISO(p.at)), p.tootId, p.account, p.statusId ?? `skipped: ${p.skipped}`, p.url ?? '']),
        )),
    '',
    'PENDING JOBS',
    ...(report.pending.length === 0
      ? ['  (none)']
      : table(['due', 'job', 'state'], report.pending.map((j) => [fmt(DateTime.fromMillis(j.dueAt)), j.id, j.state]))),
  ];
  const checked = report.tasks.filter((t) => schedule.tasks.find((s) => s.id === t.id)?.check);
  if (checked.length > 0) {
    lines.push(
      '',
      'CHECKS',
      ...table(
        ['task', 'verdict', 'last result', 'at', 'note'],
        checked.map((t) => {
          const view = checkView(schedule.tasks.find((s) => s.id === t.id)!.check!, t.check, zone, DateTime.now());
          const verdict = view.stopped ? 'stopped' : view.passing === null ? '—' : view.passing ? 'passing' : 'failing';
          const note = t.status === 'ready' ? `ready: confirm with herold task ${schedule.id} ${t.id} done` : (view.propagation?.text ?? view.stopped ?? '');
          return [t.id, verdict, view.last?.summary ?? '—', view.last ? fmt(DateTime.fromISO(view.last.at)) : '—', note];
        }),
      ),
    );
  }
  if (report.budgets.length > 0) {
    lines.push(
      '',
      'RATE BUDGET (primary account, shared by every Herold process)',
      ...table(
        ['bucket', 'used', 'limit', 'left', 'resets', 'blocked (429) until'],
        report.budgets.map((b) => [b.bucket, String(b.used), String(b.limit), String(b.remaining), fmtTime(b.resetAt, zone), b.blockedUntil ? fmtTime(b.blockedUntil, zone) : '—']),
      ),
    );
  }
  if (report.unconfirmed.length > 0) {
    lines.push(
      '',
      'MAYBE POSTED (no answer seen; Herold looks on the instance before posting these again)',
      ...table(
        ['first try', 'idempotency key', 'lookup trusted from'],
        report.unconfirmed.map((u) => [fmtTime(u.firstAt, zone), u.key, fmtTime(u.settleAt, zone)]),
      ),
    );
  }
  if (report.failures.length > 0) {
    lines.push('', 'FAILURES', ...report.failures.map((f) => `  ${fmt(DateTime.fromISO(f.at))} ${f.tootId}: ${f.message}`));
  }
  return lines;
}

export function statusJson(report: StatusReport, services: readonly Heartbeat[] = []) {
  return {
    id: report.schedule.id,
    running: runningRows(report, services),
    instance: report.schedule.instance,
    phase: report.phase,
    window: { start: report.schedule.window.start.toISO(), deadline: report.deadline.toISO() },
    tasks: report.tasks.map((t) => {
      const spec = report.schedule.tasks.find((s) => s.id === t.id)?.check ?? null;
      return {
        id: t.id,
        title: t.title,
        at: t.at?.toISO() ?? null,
        status: t.status,
        changedAt: t.changedAt?.toISO() ?? null,
        note: t.note,
        check: spec ? checkView(spec, t.check, report.schedule.timezone, DateTime.now()) : null,
      };
    }),
    posted: report.posted,
    pending: report.pending.map((j) => ({ id: j.id, dueAt: new Date(j.dueAt).toISOString(), state: j.state })),
    failures: report.failures,
    budgets: report.budgets.map((b) => ({ ...b, resetAt: new Date(b.resetAt).toISOString(), blockedUntil: b.blockedUntil ? new Date(b.blockedUntil).toISOString() : null })),
    maybePosted: report.unconfirmed.map((u) => ({ key: u.key, firstAt: new Date(u.firstAt).toISOString(), settleAt: new Date(u.settleAt).toISOString() })),
  };
}

function fmtTime(ms: number, zone: string): string {
  return DateTime.fromMillis(ms).setZone(zone).toFormat('dd.MM. HH:mm:ss');
}

function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => `  ${cells.map((c, i) => c.padEnd(widths[i]!)).join('  ')}`.trimEnd();
  return [line(header), ...rows.map(line)];
}
