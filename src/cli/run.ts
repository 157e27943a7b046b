import { loadConfig } from '../config/config.ts';
import { startHerold } from '../app/herold-service.ts';
import { createLogger } from '../logger.ts';
import { loadScheduleSources } from '../schedule/load-schedules.ts';

/** How long a shutdown may take before we give up on the job in flight (it is handed back as stalled). */
const SHUTDOWN_TIMEOUT_MS = 9000;

/**
 * `herold run [files…]`: the long-running service. Resolves when a signal has
 * shut it down; rejects (exit 1, one line) when the instance refused the token.
 */
export async function runCommand(files: string[], options: { acceptDms?: boolean } = {}): Promise<void> {
  const config = loadConfig();
  const log = createLogger(config.logLevel, config.logFormat);
  const loaded = loadScheduleSources(files);
  const schedules = new Map([...loaded].map(([id, { schedule }]) => [id, schedule]));
  const sources = new Map([...loaded].map(([id, { source }]) => [id, source]));
  const service = await startHerold({ config, schedules, sources, log, acceptDms: options.acceptDms });
  log.info({ schedules: [...schedules.keys()] }, 'Herold is running.');

  const reason = await new Promise<{ signal: string } | { refused: Error }>((resolve) => {
    process.once('SIGTERM', () => resolve({ signal: 'SIGTERM' }));
    process.once('SIGINT', () => resolve({ signal: 'SIGINT' }));
    void service.stopped.then((error) => resolve({ refused: error }));
  });
  if ('signal' in reason) log.info({ signal: reason.signal }, 'Shutting down: no new jobs, finishing the one in flight.');
  else log.info('Shutting down: the instance refused the token.');
  await new Promise<void>((resolve) => {
    const timer = setTimeout(() => {
      log.warn('Shutdown took too long; the job in flight will be picked up again as stalled.');
      resolve();
    }, SHUTDOWN_TIMEOUT_MS);
    service.close().then(
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
