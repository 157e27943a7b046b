import { z } from 'zod';
import { ConfigError } from '../errors.ts';
import { parseRedisUrl } from '../adapters/redis/redis-url.ts';

/**
 * Herold's configuration, read once from the environment (and `.env`) at
 * start, validated, and frozen. Every variable is listed in `.env.example`.
 */
export interface Config {
  /** Base URL of the instance Herold speaks for, e.g. https://wien.rocks. */
  readonly mastodonUrl: string;
  readonly mastodonAccessToken: string;
  /** Optional second account on another instance, used while the primary is down. */
  readonly fallback: { readonly url: string; readonly accessToken: string } | null;
  /** Default redis://127.0.0.1:6379; also redis+sentinel://… and redis+cluster://… (src/adapters/redis/redis-url.ts). */
  readonly redisUrl: string;
  /** Bearer token the task webhook expects; the webhook is off when unset. */
  readonly webhookToken: string | null;
  /** Default 0.0.0.0 and 8080. */
  readonly host: string;
  readonly port: number;
  /** Key prefix for BullMQ and state; the hash tag keeps every key in one Redis Cluster slot. Default {herold}. */
  readonly prefix: string;
  /** Reminders and announcements more than this late are skipped, not posted. Default 15 min. */
  readonly graceMs: number;
  /** Task changes within this window become one edit of the progress toot. Default 3000 ms. */
  readonly coalesceMs: number;
  /** Longest wait between retries while the instance is down. Default 30000 ms. */
  readonly maxBackoffMs: number;
  /** Timeout of one Mastodon request. Default 15000 ms. */
  readonly requestTimeoutMs: number;
  /** Answer mentions and DMs from the FAQ (HEROLD_REPLIES, the kill switch). Default on. */
  readonly replies: boolean;
  /** On the first start, mentions older than this are not answered. Default 1 h. */
  readonly replyMaxAgeMs: number;
  /** The same FAQ answer goes to the same account at most once per this window. Default 30 min. */
  readonly replyCooldownMs: number;
  readonly logLevel: string;
  /** auto: readable lines on a terminal, JSON when stdout is not one. */
  readonly logFormat: 'auto' | 'json' | 'pretty';
  /** HTTP basic auth for the queue dashboard at /admin/queues; the dashboard is not served when unset. */
  readonly admin: { readonly user: string; readonly password: string } | null;
  /** HEROLD_PUBLIC_URL: where people reach Herold (the feed's links, the dashboard's origin check). Default unset. */
  readonly publicUrl: string | null;
  /** HEROLD_ADMIN_WRITE: the dashboard may change jobs. Default off (read-only). */
  readonly adminWrite: boolean;
  /** HEROLD_NOTE_URLS: task notes may carry links. Default off. */
  readonly noteUrls: boolean;
  /** HEROLD_TRUST_PROXY: the client address is the last one in X-Forwarded-For. Default off. */
  readonly trustProxy: boolean;
  /** HEROLD_LIVE_MAX and HEROLD_LIVE_MAX_PER_IP: open live-update streams in total and per address. Default 1000 and 20. */
  readonly liveLimits: { readonly max: number; readonly maxPerIp: number };
  /** HEROLD_RATE_SCALE: Mastodon's rate-limit periods are divided by this (a sandbox run with --rate-scale). Default 1. */
  readonly rateScale: number;
  /** HEROLD_MAINTENANCE_HOSTS: the instances' own hosts (comma-separated) that may point at Herold; while a window of that instance runs they get maintenance mode. Default none. */
  readonly maintenanceHosts: readonly string[];
}

const url = (name: string) =>
  z.url({ protocol: /^https?$/, error: `${name} must be an http(s) URL like https://wien.rocks.` });

const positiveInt = (name: string, fallback: number) =>
  z.coerce
    .number({ error: `${name} must be a whole number of milliseconds.` })
    .int({ error: `${name} must be a whole number of milliseconds.` })
    .min(0, { error: `${name} must not be negative.` })
    .default(fallback);

const onOff = (name: string, fallback: 'on' | 'off') =>
  z
    .string()
    .trim()
    .toLowerCase()
    .pipe(z.enum(['on', 'off', 'true', 'false', '1', '0'], { error: `${name} must be on or off.` }))
    .default(fallback)
    .transform((value) => ['on', 'true', '1'].includes(value));

const count = (name: string, fallback: number) =>
  z.coerce
    .number({ error: `${name} must be a whole number.` })
    .int({ error: `${name} must be a whole number.` })
    .min(0, { error: `${name} must not be negative.` })
    .default(fallback);

const schema = z.object({
  MASTODON_URL: url('MASTODON_URL'),
  MASTODON_ACCESS_TOKEN: z.string({ error: 'MASTODON_ACCESS_TOKEN is not set.' }).min(1, 'MASTODON_ACCESS_TOKEN is empty.'),
  FALLBACK_MASTODON_URL: url('FALLBACK_MASTODON_URL').optional(),
  FALLBACK_MASTODON_ACCESS_TOKEN: z.string().min(1).optional(),
  REDIS_URL: z.string().default('redis://127.0.0.1:6379'),
  HEROLD_WEBHOOK_TOKEN: z.string().min(16, 'HEROLD_WEBHOOK_TOKEN must be at least 16 characters; generate one with `openssl rand -hex 24`.').optional(),
  HOST: z.string().min(1).default('0.0.0.0'),
  PORT: z.coerce.number({ error: 'PORT must be a port number.' }).int().min(0).max(65535).default(8080),
  HEROLD_PREFIX: z
    .string()
    .regex(/^\{[^{}:]+\}$/, 'HEROLD_PREFIX must be a Redis hash tag like {herold} so that Redis Cluster keeps all keys together.')
    .default('{herold}'),
  HEROLD_GRACE_MS: positiveInt('HEROLD_GRACE_MS', 15 * 60_000),
  HEROLD_COALESCE_MS: positiveInt('HEROLD_COALESCE_MS', 3000),
  HEROLD_MAX_BACKOFF_MS: positiveInt('HEROLD_MAX_BACKOFF_MS', 30_000),
  HEROLD_REQUEST_TIMEOUT_MS: positiveInt('HEROLD_REQUEST_TIMEOUT_MS', 15_000),
  HEROLD_REPLIES: z
    .string()
    .trim()
    .toLowerCase()
    .pipe(z.enum(['on', 'off', 'true', 'false', '1', '0'], { error: 'HEROLD_REPLIES must be on or off.' }))
    .default('on'),
  HEROLD_REPLY_MAX_AGE_MS: positiveInt('HEROLD_REPLY_MAX_AGE_MS', 60 * 60_000),
  HEROLD_REPLY_COOLDOWN_MS: positiveInt('HEROLD_REPLY_COOLDOWN_MS', 30 * 60_000),
  HEROLD_ADMIN_USER: z.string().optional(),
  HEROLD_ADMIN_PASSWORD: z.string().optional(),
  HEROLD_PUBLIC_URL: url('HEROLD_PUBLIC_URL').optional(),
  HEROLD_ADMIN_WRITE: onOff('HEROLD_ADMIN_WRITE', 'off'),
  HEROLD_NOTE_URLS: onOff('HEROLD_NOTE_URLS', 'off'),
  HEROLD_TRUST_PROXY: onOff('HEROLD_TRUST_PROXY', 'off'),
  HEROLD_LIVE_MAX: count('HEROLD_LIVE_MAX', 1000),
  HEROLD_RATE_SCALE: z.coerce
    .number({ error: 'HEROLD_RATE_SCALE must be a number; use the same value as `herold sandbox --rate-scale`, or leave it unset for a real instance.' })
    .positive({ error: 'HEROLD_RATE_SCALE must be greater than 0; leave it unset for a real instance.' })
    .default(1),
  HEROLD_LIVE_MAX_PER_IP: count('HEROLD_LIVE_MAX_PER_IP', 20),
  HEROLD_MAINTENANCE_HOSTS: z
    .string()
    .transform((value) => value.split(',').map((host) => host.trim().toLowerCase()).filter((host) => host !== ''))
    .pipe(
      z.array(
        z.string().regex(/^(?=.{1,253}$)([a-z0-9-]+\.)+[a-z0-9-]+$/, {
          error: (issue) => `HEROLD_MAINTENANCE_HOSTS: "${String(issue.input)}" is not a host name. Write the instance's domain as in the schedule's "instance", like wien.rocks (no https://, no path), several separated by commas.`,
        }),
      ),
    )
    .default([]),
  LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
  LOG_FORMAT: z.enum(['auto', 'json', 'pretty'], { error: 'LOG_FORMAT must be auto (readable lines on a terminal, JSON otherwise), json or pretty.' }).default('auto'),
});

/** Which variables a command needs: `run` needs Mastodon, operator commands only Redis. */
export type ConfigNeeds = 'mastodon' | 'redis';

export function loadConfig(env: NodeJS.ProcessEnv = process.env, needs: ConfigNeeds = 'mastodon'): Config {
  // An empty line in .env (`FALLBACK_MASTODON_URL=`) means "not set", as in .env.example.
  const input = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== '')) as NodeJS.ProcessEnv;
  if (needs === 'redis') {
    // Operator commands (task, window, status) talk to Redis only; don't demand a token there.
    input.MASTODON_URL ??= 'http://unused.invalid';
    input.MASTODON_ACCESS_TOKEN ??= 'unused';
  }
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const variable = String(issue.path[0]);
    const message =
      issue.code === 'invalid_type' && input[variable] === undefined
        ? `${variable} is not set. Add it to the environment or to .env (see .env.example).`
        : issue.message.startsWith(variable)
          ? issue.message
          : `${variable}: ${issue.message}`;
    throw new ConfigError(variable, message);
  }
  const e = parsed.data;
  // Throws a ConfigError naming the accepted forms (plain, Sentinel, Cluster).
  parseRedisUrl(e.REDIS_URL);
  if (Boolean(e.FALLBACK_MASTODON_URL) !== Boolean(e.FALLBACK_MASTODON_ACCESS_TOKEN)) {
    const missing = e.FALLBACK_MASTODON_URL ? 'FALLBACK_MASTODON_ACCESS_TOKEN' : 'FALLBACK_MASTODON_URL';
    throw new ConfigError(missing, `${missing} is not set, but the other FALLBACK_ variable is. Set both, or neither.`);
  }
  // Empty counts as unset, so a copied .env.example keeps the dashboard off.
  const adminUser = e.HEROLD_ADMIN_USER || null;
  const adminPassword = e.HEROLD_ADMIN_PASSWORD || null;
  if (Boolean(adminUser) !== Boolean(adminPassword)) {
    const missing = adminUser ? 'HEROLD_ADMIN_PASSWORD' : 'HEROLD_ADMIN_USER';
    throw new ConfigError(missing, `${missing} is not set, but the other HEROLD_ADMIN_ variable is. Set both to serve the queue dashboard, or neither.`);
  }
  if (adminUser?.includes(':')) throw new ConfigError('HEROLD_ADMIN_USER', 'HEROLD_ADMIN_USER must not contain ":" (HTTP basic auth splits there).');
  if (adminPassword && adminPassword.length < 16) {
    throw new ConfigError('HEROLD_ADMIN_PASSWORD', 'HEROLD_ADMIN_PASSWORD must be at least 16 characters; generate one with `openssl rand -hex 24`.');
  }
  return Object.freeze({
    mastodonUrl: e.MASTODON_URL.replace(/\/+$/, ''),
    mastodonAccessToken: e.MASTODON_ACCESS_TOKEN,
    fallback:
      e.FALLBACK_MASTODON_URL && e.FALLBACK_MASTODON_ACCESS_TOKEN
        ? Object.freeze({ url: e.FALLBACK_MASTODON_URL.replace(/\/+$/, ''), accessToken: e.FALLBACK_MASTODON_ACCESS_TOKEN })
        : null,
    redisUrl: e.REDIS_URL,
    webhookToken: e.HEROLD_WEBHOOK_TOKEN ?? null,
    host: e.HOST,
    port: e.PORT,
    prefix: e.HEROLD_PREFIX,
    graceMs: e.HEROLD_GRACE_MS,
    coalesceMs: e.HEROLD_COALESCE_MS,
    maxBackoffMs: e.HEROLD_MAX_BACKOFF_MS,
    requestTimeoutMs: e.HEROLD_REQUEST_TIMEOUT_MS,
    replies: ['on', 'true', '1'].includes(e.HEROLD_REPLIES),
    replyMaxAgeMs: e.HEROLD_REPLY_MAX_AGE_MS,
    replyCooldownMs: e.HEROLD_REPLY_COOLDOWN_MS,
    logLevel: e.LOG_LEVEL,
    logFormat: e.LOG_FORMAT,
    admin: adminUser && adminPassword ? Object.freeze({ user: adminUser, password: adminPassword }) : null,
    publicUrl: e.HEROLD_PUBLIC_URL ? e.HEROLD_PUBLIC_URL.replace(/\/+$/, '') : null,
    adminWrite: e.HEROLD_ADMIN_WRITE,
    noteUrls: e.HEROLD_NOTE_URLS,
    trustProxy: e.HEROLD_TRUST_PROXY,
    liveLimits: Object.freeze({ max: e.HEROLD_LIVE_MAX, maxPerIp: e.HEROLD_LIVE_MAX_PER_IP }),
    rateScale: e.HEROLD_RATE_SCALE,
    maintenanceHosts: Object.freeze([...new Set(e.HEROLD_MAINTENANCE_HOSTS)]),
  });
}
