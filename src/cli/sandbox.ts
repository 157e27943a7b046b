/**
 * `herold sandbox`: runs the in-memory Mastodon sandbox for operators who
 * want to try Herold without a real instance, and for reproducing a failure
 * by hand. Every model parameter and fault of the sandbox is a flag.
 */
import { UsageError } from '../errors.ts';
import {
  DEFAULT_ACCOUNT,
  isMastodonVersion,
  MASTODON_VERSIONS,
  type OutageMode,
  type PolicyValue,
  RATE_LIMIT_BUCKETS,
  type RateLimitBucket,
  type RateLimitSettings,
  type Sandbox,
  type SandboxFault,
  type SandboxOptions,
  startSandbox,
} from '../sandbox/index.ts';

export interface SandboxCommandOptions {
  port?: string;
  host?: string;
  domain?: string;
  mastodonVersion?: string;
  /** The version string to report instead of the profile's. */
  reportVersion?: string;
  /** false with --no-rate-limit. */
  rateLimit?: boolean;
  rateScale?: string;
  rateBucket?: string[];
  accounts?: string;
  pins?: string;
  idempotencyTtl?: string;
  fault?: string;
  faultTimes?: string;
  faultFirstPerKey?: boolean;
  accountState?: string;
  maxCharacters?: string;
  notificationPolicy?: string;
  outage?: string;
  json?: boolean;
}

/** Extra users for --accounts: ordinary Viennese people, not bots. */
const PEOPLE = ['anna', 'ferdl', 'gerti', 'hansi', 'ilse', 'jakob', 'kathi', 'leopold', 'mitzi', 'poldi'];

export function extraUsername(index: number): string {
  return PEOPLE[index] ?? `user${index + 1}`;
}

function wholeNumber(flag: string, value: string | undefined, min: number, max = Number.MAX_SAFE_INTEGER): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!/^\d+$/.test(value.trim()) || number < min || number > max) {
    throw new UsageError(`${flag} needs a whole number from ${min} to ${max}; got "${value}".`);
  }
  return number;
}

function positiveNumber(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (value.trim() === '' || !(number > 0) || !Number.isFinite(number)) {
    throw new UsageError(`${flag} needs a positive number; got "${value}".`);
  }
  return number;
}

/** `lost-answer` or `slow-commit=<ms>`. */
export function parseFault(spec: string, times?: number): SandboxFault {
  const [kind, arg] = spec.split('=', 2);
  const extra = times === undefined ? {} : { times };
  if (kind === 'lost-answer' && arg === undefined) return { kind, ...extra };
  if (kind === 'slow-commit' && arg !== undefined) {
    return { kind, delayMs: wholeNumber('--fault slow-commit=<ms>', arg, 0) ?? 0, ...extra };
  }
  throw new UsageError(`--fault takes lost-answer or slow-commit=<milliseconds>, e.g. --fault slow-commit=5000; got "${spec}".`);
}

/** `html502`, `slow=<ms>` or `none`. */
export function parseOutage(spec: string): { mode: OutageMode; delayMs?: number } {
  const [mode, arg] = spec.split('=', 2);
  if ((mode === 'html502' || mode === 'none') && arg === undefined) return { mode };
  if (mode === 'slow') return { mode, delayMs: wholeNumber('--outage slow=<ms>', arg ?? '', 0) ?? 0 };
  throw new UsageError(`--outage takes html502 or slow=<milliseconds>; got "${spec}".`);
}

/** `statuses=10`, or with a period in seconds: `statuses=10/60`. */
function parseBucket(spec: string): [RateLimitBucket, { limit: number; periodMs?: number }] {
  const match = /^([a-z]+)=(\d+)(?:\/(\d+(?:\.\d+)?))?$/.exec(spec.trim());
  const name = match?.[1] as RateLimitBucket | undefined;
  if (!match || name === undefined || !RATE_LIMIT_BUCKETS.includes(name)) {
    throw new UsageError(
      `--rate-bucket takes <bucket>=<limit>[/<period seconds>] with a bucket of ${RATE_LIMIT_BUCKETS.join(', ')}, e.g. statuses=10/60; got "${spec}".`,
    );
  }
  const limit = Number(match[2]);
  return [name, match[3] === undefined ? { limit } : { limit, periodMs: Number(match[3]) * 1000 }];
}

/** The sandbox options the flags ask for; throws UsageError with the fix for a bad flag. */
export function sandboxOptionsFromFlags(flags: SandboxCommandOptions): {
  options: SandboxOptions;
  extraAccounts: number;
  outage: { mode: OutageMode; delayMs?: number } | null;
} {
  const version = flags.mastodonVersion;
  if (version !== undefined && !isMastodonVersion(version)) {
    throw new UsageError(`--mastodon-version must be one of ${MASTODON_VERSIONS.join(', ')}; got "${version}".`);
  }
  const policy = flags.notificationPolicy;
  if (policy !== undefined && !['accept', 'filter', 'drop'].includes(policy)) {
    throw new UsageError(`--notification-policy must be accept, filter or drop; got "${policy}".`);
  }
  const state = flags.accountState;
  if (state !== undefined && !['active', 'pending', 'unconfirmed'].includes(state)) {
    throw new UsageError(`--account-state must be active, pending or unconfirmed; got "${state}".`);
  }
  let rateLimit: RateLimitSettings | null = null;
  if (flags.rateLimit !== false) {
    const scale = positiveNumber('--rate-scale', flags.rateScale);
    rateLimit = { ...(scale === undefined ? {} : { scale }), buckets: Object.fromEntries((flags.rateBucket ?? []).map(parseBucket)) };
  } else if (flags.rateScale !== undefined || (flags.rateBucket ?? []).length > 0) {
    throw new UsageError('--no-rate-limit switches every limit off; leave out --rate-scale and --rate-bucket, or drop --no-rate-limit.');
  }
  const ttlSeconds = positiveNumber('--idempotency-ttl', flags.idempotencyTtl);
  const times = wholeNumber('--fault-times', flags.faultTimes, 1);
  if (times !== undefined && flags.fault === undefined) throw new UsageError('--fault-times needs a --fault to count.');
  if (flags.faultFirstPerKey && flags.fault === undefined) throw new UsageError('--fault-first-per-key needs a --fault to narrow.');
  const options: SandboxOptions = {
    port: wholeNumber('--port', flags.port ?? '3000', 0, 65_535),
    host: flags.host ?? '127.0.0.1',
    domain: flags.domain ?? 'wien.rocks',
    maxCharacters: wholeNumber('--max-characters', flags.maxCharacters ?? '500', 1),
    rateLimit,
    accounts: [{ ...DEFAULT_ACCOUNT, ...(state === undefined ? {} : { state: state as 'active' | 'pending' | 'unconfirmed' }) }],
    ...(version === undefined ? {} : { mastodonVersion: version }),
    ...(flags.reportVersion === undefined ? {} : { version: flags.reportVersion }),
    ...(policy === undefined ? {} : { notificationPolicy: policy as PolicyValue }),
    ...(ttlSeconds === undefined ? {} : { idempotencyTtlMs: ttlSeconds * 1000 }),
    ...(flags.pins === undefined ? {} : { pins: wholeNumber('--pins', flags.pins, 0, 5) }),
    ...(flags.fault === undefined
      ? {}
      : { fault: { ...parseFault(flags.fault, times), ...(flags.faultFirstPerKey ? { firstPerKey: true } : {}) } }),
  };
  return {
    options,
    extraAccounts: wholeNumber('--accounts', flags.accounts ?? '0', 0, 1_000) ?? 0,
    outage: flags.outage === undefined ? null : parseOutage(flags.outage),
  };
}

/** The one line --json prints first: where to connect and with which tokens. */
export function sandboxJsonLine(sandbox: Sandbox, extra: readonly string[]): string {
  return JSON.stringify({
    url: sandbox.url,
    streamingUrl: sandbox.streamingUrl,
    token: sandbox.account(DEFAULT_ACCOUNT.username)?.token ?? null,
    mastodonVersion: sandbox.mastodonVersion,
    accounts: extra.map((username) => {
      const account = sandbox.account(username);
      return { acct: account?.acct ?? username, token: account?.token ?? null };
    }),
  });
}

export async function sandboxCommand(flags: SandboxCommandOptions, out: (line: string) => void): Promise<void> {
  const { options, extraAccounts, outage } = sandboxOptionsFromFlags(flags);
  const sandbox = await startSandbox(options);
  const extra: string[] = [];
  for (let i = 0; i < extraAccounts; i += 1) {
    const username = extraUsername(i);
    sandbox.addAccount({ username, displayName: username[0]!.toUpperCase() + username.slice(1) });
    extra.push(username);
  }
  if (outage) await sandbox.setOutage(outage.mode, outage.delayMs === undefined ? {} : { delayMs: outage.delayMs });

  const note = (line: string) => (flags.json ? process.stderr.write(`${line}\n`) : out(line));
  if (flags.json) out(sandboxJsonLine(sandbox, extra));
  const bot = sandbox.account(DEFAULT_ACCOUNT.username);
  note(`Mastodon ${sandbox.mastodonVersion} sandbox for ${sandbox.domain} listening on ${sandbox.url}`);
  if (!flags.json) {
    note(`Streaming:    ${sandbox.streamingUrl}/api/v1/streaming (server-sent events under ${sandbox.url}/api/v1/streaming/user)`);
    note(`Access token: ${bot?.token ?? '(none)'} (the bot @${bot?.username ?? '?'})`);
    for (const username of extra) note(`              ${sandbox.account(username)?.token ?? ''} (@${username})`);
    note(`Try Herold:   MASTODON_URL=${sandbox.url} MASTODON_ACCESS_TOKEN=${bot?.token ?? ''} herold doctor`);
  }
  note('Stop with Ctrl+C.');

  await new Promise<void>((resolve) => {
    const stop = (): void => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await sandbox.close();
}
