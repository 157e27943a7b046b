import { DateTime } from 'luxon';
import { loadConfig } from '../config/config.ts';
import { Operations, type StatusReport } from '../core/operations.ts';
import { operatorNote } from '../render/operator-note.ts';
import { tootsNeededReader } from '../core/toots-needed.ts';
import { MASTODON_BUCKETS, scaleBuckets } from '../core/rate-budget.ts';
import { RateBudgetStore } from '../adapters/redis/rate-budget-store.ts';
import { RequestGate } from '../adapters/mastodon/request-gate.ts';
import { BullJobSink } from '../adapters/bullmq/bullmq-adapter.ts';
import { connectOrExplain, redisConnection } from '../adapters/redis/connect.ts';
import { loadSchedules } from '../schedule/load-schedules.ts';
import { StateStore } from '../adapters/redis/state-store.ts';
import { PostAttempts } from '../adapters/redis/post-attempts.ts';
import { CheckStore } from '../adapters/redis/check-store.ts';
import { checkView } from '../checks/check-view.ts';

export interface OperatorOptions {
  /** Schedule files; default every file in schedules/. */
  readonly schedules?: string[];
}

/**
 * Runs one operator action against Redis, the way `herold run` would: the
 * running worker picks up whatever this enqueues. Needs only REDIS_URL.
 */
export async function withOperations<T>(options: OperatorOptions, fn: (ops: Operations) => Promise<T>): Promise<T> {
  const config = loadConfig(process.env, 'redis');
  const schedules = loadSchedules(options.schedules ?? []);
  const redis = redisConnection(config.redisUrl, 'producer');
  redis.on('error', () => undefined);
  await connectOrExplain(redis, config.redisUrl);
  const jobs = new BullJobSink(redis, config.prefix);
  const store = new StateStore(redis, config.prefix);
  // Read-only here: the budget `herold run` keeps, for status and for the coalescing of task changes.
  const budget = new RateBudgetStore(redis, config.prefix, 'primary');
  const rateBudget = new RequestGate({ store: budget, where: 'primary instance', rules: scaleBuckets(MASTODON_BUCKETS, config.rateScale), tootsNeeded: tootsNeededReader(schedules, store) });
  try {
    const ops = new Operations({
      schedules,
      store,
      jobs,
      now: () => DateTime.now(),
      coalesceMs: config.coalesceMs,
      checks: new CheckStore(redis, config.prefix),
      rateBudget,
      attempts: new PostAttempts(redis, config.prefix),
    });
    return await fn(ops);
  } finally {
    await budget.close();
    await jobs.close();
    redis.disconnect();
  }
}

/** `--note`, cleaned as the webhook cleans it (mentions defused, no links unless HEROLD_NOTE_URLS=on). */
export function cliNote(note: string | undefined, env: NodeJS.ProcessEnv = process.env): string | null {
  if (note === undefined) return null;
  return operatorNote(note, { allowUrls: loadConfig(env, 'redis').noteUrls });
}

export function formatStatus(report: StatusReport): string[] {
  const { schedule } = report;
  const zone = schedule.timezone;
  const fmt = (dt: DateTime | null) => (dt ? dt.setZone(zone).toFormat('dd.MM. HH:mm') : '—');
  const lines = [
    `${schedule.id} (${schedule.instance}) · phase: ${report.phase}`,
    `window: ${fmt(schedule.window.start)} → deadline ${fmt(report.deadline)} (${zone})`,
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

export function statusJson(report: StatusReport) {
  return {
    id: report.schedule.id,
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
