import { existsSync } from 'node:fs';
import { DateTime } from 'luxon';
import { loadConfig, type Config } from '../config/config.ts';
import { clockCheck } from '../doctor/clock.ts';
import { fallbackAccountCheck, type FallbackAccount } from '../doctor/fallback-account-check.ts';
import { fail, formatCheck, maskUrl, ok, type CheckResult } from '../doctor/check.ts';
import { FALLBACK_TOKEN, notificationPolicyCheck, pinSlotCheck, scopesCheck, tokenCheck, versionCheck } from '../doctor/mastodon-checks.ts';
import { instanceUrlChecks } from '../doctor/url-checks.ts';
import { redisEviction, redisPersistence, redisReachable } from '../doctor/redis-checks.ts';
import { faqCheck } from '../doctor/faq-check.ts';
import { scheduleCheck, scheduleFiles, tootLengthCheck } from '../doctor/schedule-checks.ts';
import { taskChecks } from '../doctor/task-checks.ts';
import { isLoopbackUrl, localOnly } from '../checks/local-only-route.ts';
import { HeroldError } from '../errors.ts';
import { InstanceProbe } from '../adapters/mastodon/instance-probe.ts';
import { redisConnection } from '../adapters/redis/connect.ts';
import type { Schedule } from '../schedule/schedule.ts';

export interface DoctorOptions {
  readonly files: readonly string[];
  readonly env?: NodeJS.ProcessEnv;
  /** Called with each result as soon as it is known. */
  readonly report: (result: CheckResult) => void;
}

function configCheck(env: NodeJS.ProcessEnv): { result: CheckResult; config: Config | null; redisOnly: Config | null } {
  try {
    const config = loadConfig(env);
    const from = existsSync('.env') ? 'the environment and .env' : 'the environment';
    const parts = [
      `instance ${config.mastodonUrl}`,
      `Redis ${maskUrl(config.redisUrl)}`,
      `prefix ${config.prefix}`,
      config.fallback ? `fallback ${config.fallback.url}` : 'no fallback account',
      config.webhookToken ? 'webhook on' : 'webhook off (HEROLD_WEBHOOK_TOKEN unset)',
      config.admin ? 'dashboard on' : 'dashboard off',
    ];
    return { result: ok('config', `Read from ${from}: ${parts.join(', ')}.`), config, redisOnly: config };
  } catch (error) {
    if (!(error instanceof HeroldError)) throw error;
    let redisOnly: Config | null = null;
    try {
      redisOnly = loadConfig(env, 'redis');
    } catch {
      redisOnly = null;
    }
    return { result: fail('config', `${error.message} The Mastodon checks need it and were skipped.`, 'See .env.example for every variable.'), config: null, redisOnly };
  }
}

/** Runs every check, one result per line; never throws for a failed check. */
export async function runDoctor(options: DoctorOptions): Promise<CheckResult[]> {
  const env = options.env ?? process.env;
  const results: CheckResult[] = [];
  const report = (result: CheckResult) => {
    results.push(result);
    options.report(result);
  };

  const { result, config, redisOnly } = configCheck(env);
  report(result);

  if (redisOnly) {
    const redis = redisConnection(redisOnly.redisUrl, 'producer');
    redis.on('error', () => undefined);
    try {
      const reachable = await redisReachable(redis, redisOnly.redisUrl);
      report(reachable);
      if (reachable.status !== 'fail') {
        report(await redisPersistence(redis));
        report(await redisEviction(redis));
      }
    } finally {
      redis.disconnect();
    }
  }

  let limit: number | null = null;
  /** The fallback token's account, once verify_credentials named it. */
  let fallbackAccount: FallbackAccount | null = null;
  if (config) {
    const probe = new InstanceProbe({ url: config.mastodonUrl, accessToken: config.mastodonAccessToken, timeoutMs: Math.min(config.requestTimeoutMs, 10_000) });
    for (const result of instanceUrlChecks('MASTODON_URL', config.mastodonUrl)) report(result);
    const token = await tokenCheck(probe, config.mastodonUrl);
    report(token.result);
    if (token.reachable) {
      if (token.result.status === 'ok') report(await scopesCheck(probe));
      const instance = await probe.instance();
      if (instance.ok) {
        report(versionCheck(instance.value, config.mastodonUrl));
        report(clockCheck(instance.value.date, instance.value.sentAt, instance.value.receivedAt, config.mastodonUrl));
        limit = instance.value.maxCharacters ?? 500;
      } else {
        report(fail('instance-version', `Cannot read ${config.mastodonUrl}/api/v2/instance (${instance.status ?? 'no answer'}: ${instance.message}).`, 'Check MASTODON_URL.'));
      }
      if (token.result.status === 'ok') report(await notificationPolicyCheck(probe));
      if (token.accountId) report(await pinSlotCheck(probe, token.accountId));
    }
    if (config.fallback) {
      // The fallback speaks while the primary is down: a bad fallback token is only noticed then, unless checked now.
      for (const result of instanceUrlChecks('FALLBACK_MASTODON_URL', config.fallback.url)) report(result);
      const fallback = new InstanceProbe({ url: config.fallback.url, accessToken: config.fallback.accessToken, timeoutMs: Math.min(config.requestTimeoutMs, 10_000) });
      const token = await tokenCheck(fallback, config.fallback.url, FALLBACK_TOKEN);
      report(token.result);
      if (token.acct) fallbackAccount = { acct: token.acct, url: config.fallback.url };
    }
  }

  let files: string[] = [];
  try {
    files = scheduleFiles(options.files);
    if (files.length === 0) report(fail('schedules', 'schedules/ holds no *.yaml files.', 'Create one (see schedules/wien-rocks-2023-02-12.yaml) or pass files.'));
  } catch (error) {
    report(fail('schedules', (error as Error).message));
  }
  report(await faqCheck());
  const schedules: Schedule[] = [];
  for (const file of files) {
    const checked = scheduleCheck(file);
    report(checked.result);
    if (checked.schedule) schedules.push(checked.schedule);
  }
  if (limit !== null) for (const schedule of schedules) report(tootLengthCheck(schedule, limit));
  // Only when the fallback could be asked (or there is none): an unreachable fallback is reported above.
  if (config && (!config.fallback || fallbackAccount)) for (const schedule of schedules) report(fallbackAccountCheck(schedule, fallbackAccount));
  const route = config && isLoopbackUrl(config.mastodonUrl) ? localOnly : undefined;
  for (const schedule of schedules) for (const result of await taskChecks(schedule, route, DateTime.now())) report(result);
  return results;
}

/** `herold doctor [files…]`: exit 1 when any check fails. */
export async function doctorCommand(files: string[], out: (line: string) => void): Promise<void> {
  const results = await runDoctor({ files, report: (r) => out(formatCheck(r)) });
  const failed = results.filter((r) => r.status === 'fail').length;
  const warned = results.filter((r) => r.status === 'warn').length;
  const summary = `${results.length} checks: ${results.length - failed - warned} ok, ${warned} warn, ${failed} fail.`;
  if (failed > 0) throw new HeroldError(`${summary} Fix the failed checks and run herold doctor again.`);
  out(summary);
}
