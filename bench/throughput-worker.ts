/**
 * Child process of bench/throughput.ts (not a benchmark on its own): one
 * Herold service (worker, no HTTP) against the parent's sandbox. Prints
 * "ready <cpu ms>" once the worker runs and "cpu <cpu ms>" when stdin ends
 * (the parent closes it, or dies), then closes cleanly.
 *
 * Env: BENCH_SANDBOX_URL, BENCH_PREFIX, BENCH_START_AT (epoch ms), BENCH_CONCURRENCY.
 */
import { loadConfig } from '../src/config/config.ts';
import { startHerold } from '../src/app/herold-service.ts';
import { REDIS_URL, rebasedSchedule, silentLog } from './lib.ts';

const env = process.env;
const config = loadConfig({
  MASTODON_URL: env.BENCH_SANDBOX_URL,
  MASTODON_ACCESS_TOKEN: 'sandbox-token',
  REDIS_URL,
  HEROLD_PREFIX: env.BENCH_PREFIX,
  HEROLD_MAX_BACKOFF_MS: '500',
  HEROLD_REQUEST_TIMEOUT_MS: '5000',
  LOG_LEVEL: 'silent',
});
const schedule = rebasedSchedule(Number(env.BENCH_START_AT));
const service = await startHerold({
  config,
  schedules: new Map([[schedule.id, schedule]]),
  log: silentLog,
  http: false,
  concurrency: Number(env.BENCH_CONCURRENCY ?? 4),
});
const cpuMs = () => {
  const { user, system } = process.cpuUsage();
  return ((user + system) / 1000).toFixed(0);
};
process.stdout.write(`ready ${cpuMs()}\n`);

let closing = false;
async function shutdown(): Promise<void> {
  if (closing) return;
  closing = true;
  process.stdout.write(`cpu ${cpuMs()}\n`);
  await service.close().catch(() => undefined);
  process.exit(0);
}
process.stdin.on('end', () => void shutdown());
process.stdin.on('close', () => void shutdown());
process.stdin.resume();
process.on('SIGTERM', () => void shutdown());
