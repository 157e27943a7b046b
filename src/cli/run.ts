import type { Logger } from 'pino';
import { loadConfig } from '../config/config.ts';
import { startHerold, type HeroldService } from '../app/herold-service.ts';
import { waitForRedis } from '../adapters/redis/wait-for-redis.ts';
import { FileProblemsError, formatProblem, RedisUnavailableError } from '../errors.ts';
import { createLogger } from '../logger.ts';
import { checkAnswerOverrides } from '../faq/answer-templates.ts';
import { loadScheduleSources } from '../schedule/load-schedules.ts';
import { watchScheduleFiles } from './schedule-watch.ts';

/** How long a shutdown may take before we give up on the job in flight (it is handed back as stalled). */
const SHUTDOWN_TIMEOUT_MS = 9000;

/**
 * `herold run [files…]`: the long-running service. Waits for Redis (one line
 * per attempt), reloads the schedule files when they change or on SIGHUP,
 * resolves when a signal has shut it down; rejects (exit 1, one line) when the
 * instance refused the token.
 */
export async function runCommand(files: string[], options: { acceptDms?: boolean } = {}): Promise<void> {
  const config = loadConfig();
  const log = createLogger(config.logLevel, config.logFormat);
  const loaded = loadChecked(files);
  const schedules = new Map([...loaded].map(([id, { schedule }]) => [id, schedule]));
  const sources = new Map([...loaded].map(([id, { source }]) => [id, source]));

  // Signals count from the first moment: a SIGTERM while Redis is away ends the wait.
  const stop = new AbortController();
  let signalled: string | null = null;
  const onSignal = (signal: string) => {
    signalled = signal;
    stop.abort();
  };
  process.once('SIGTERM', () => onSignal('SIGTERM'));
  process.once('SIGINT', () => onSignal('SIGINT'));

  let service: HeroldService | null = null;
  while (service === null) {
    const up = await waitForRedis(config.redisUrl, {
      signal: stop.signal,
      onAttempt: ({ attempt, message, tookMs, nextInMs }) =>
        log.error({ attempt, tookMs, nextInMs }, `${message} Trying again in ${Math.round(nextInMs / 1000)} s (attempt ${attempt}).`),
    });
    if (!up) return log.info({ signal: signalled }, 'Stopped while waiting for Redis.');
    try {
      service = await startHerold({ config, schedules, sources, log, acceptDms: options.acceptDms });
    } catch (error) {
      // Redis went away during the start: everything opened is closed again; wait for it anew.
      if (!(error instanceof RedisUnavailableError)) throw error;
      log.error(error.message);
    }
  }
  log.info({ schedules: [...schedules.keys()].map((id) => ({ id, file: sources.get(id)!.file, version: sources.get(id)!.hash })) }, 'Herold is running.');

  const reloading = reloader(service, files, log);
  const onHup = () => void reloading.reload('SIGHUP');
  process.on('SIGHUP', onHup);
  const watcher = watchScheduleFiles(files, () => void reloading.reload('the file changed'));

  const live = service;
  const reason = await new Promise<{ signal: string } | { refused: Error }>((resolve) => {
    if (stop.signal.aborted) return resolve({ signal: signalled ?? 'SIGTERM' });
    stop.signal.addEventListener('abort', () => resolve({ signal: signalled ?? 'SIGTERM' }));
    void live.stopped.then((error) => resolve({ refused: error }));
  });
  watcher.close();
  process.off('SIGHUP', onHup);
  await reloading.idle();
  if ('signal' in reason) log.info({ signal: reason.signal }, 'Shutting down: no new jobs, finishing the one in flight.');
  else log.info('Shutting down: the instance refused the token.');
  await new Promise<void>((resolve) => {
    const timer = setTimeout(() => {
      log.warn('Shutdown took too long; the job in flight will be picked up again as stalled.');
      resolve();
    }, SHUTDOWN_TIMEOUT_MS);
    live.close().then(
      () => {
        clearTimeout(timer);
        resolve();
      },
      (error: unknown) => {
        log.error({ err: (error as Error).message }, 'Error while shutting down.');
        clearTimeout(timer);
        resolve();
      },
    );
  });
  if ('refused' in reason) throw reason.refused;
}

/** The schedule files, each with its own FAQ answers checked like its toot templates (a broken one refuses the file). */
function loadChecked(files: readonly string[]): ReturnType<typeof loadScheduleSources> {
  const loaded = loadScheduleSources(files);
  for (const { schedule } of loaded.values()) checkAnswerOverrides(schedule);
  return loaded;
}

/**
 * Reads the schedule files again and hands a valid set to the service; an
 * invalid file is refused with its file:line problems and the running version
 * stays. One reload at a time; a change during a reload is read after it.
 */
function reloader(service: HeroldService, files: readonly string[], log: Logger) {
  let running: Promise<void> = Promise.resolve();
  let again = false;
  let busy = false;
  const once = async (why: string) => {
    let next;
    try {
      next = loadChecked(files);
    } catch (error) {
      const problems = error instanceof FileProblemsError ? error.problems.map(formatProblem) : [(error as Error).message];
      for (const problem of problems) log.error(problem);
      log.error({ why }, `The changed schedule is refused (${problems.length} problem${problems.length === 1 ? '' : 's'} above); the running version stays.`);
      return;
    }
    const results = await service.reload(next);
    if (results.length === 0) log.info({ why }, 'The schedule files are unchanged; nothing to reload.');
    for (const r of results) {
      log.info(
        { why, schedule: r.id, from: r.previous, to: r.hash, added: r.added, moved: r.moved, removed: r.removed, dateChanged: r.dateChanged },
        `Reloaded ${r.id}: now version ${r.hash}${r.previous ? ` (was ${r.previous})` : ''}; ${r.added} jobs added, ${r.moved} moved, ${r.removed} removed${r.dateChanged ? ', the date-changed toot follows' : ''}.`,
      );
    }
  };
  return {
    reload(why: string): Promise<void> {
      if (busy) {
        again = true;
        return running;
      }
      busy = true;
      running = (async () => {
        do {
          again = false;
          await once(why).catch((error: unknown) => log.error({ why }, `The reload failed: ${(error as Error).message} The running version stays.`));
        } while (again);
        busy = false;
      })();
      return running;
    },
    idle: () => running,
  };
}
