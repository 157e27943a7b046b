import { pino, type Logger } from 'pino';
import { PinoPretty } from 'pino-pretty';

export type LogFormat = 'auto' | 'json' | 'pretty';

/**
 * JSON logs where a machine reads them (no TTY, or LOG_FORMAT=json); on a
 * terminal the same records as readable lines (pino-pretty). Tokens never
 * reach a log: the paths below are redacted, and no code logs config or
 * headers wholesale.
 */
export function createLogger(level = 'info', format: LogFormat = 'auto', stdout: { isTTY?: boolean } = process.stdout): Logger {
  const options = {
    level,
    base: { service: 'herold' },
    redact: {
      paths: ['*.accessToken', '*.token', '*.authorization', 'headers.authorization', 'config.mastodonAccessToken', 'config.webhookToken'],
      censor: '[redacted]',
    },
  };
  if (!readable(format, stdout)) return pino(options);
  // Synchronous, in this thread: a line is on the screen before the next step runs, and nothing is lost at exit.
  return pino(options, PinoPretty({ sync: true, colorize: stdout.isTTY === true, translateTime: 'SYS:HH:MM:ss', ignore: 'pid,hostname,service', singleLine: true }));
}

function readable(format: LogFormat, stdout: { isTTY?: boolean }): boolean {
  return format === 'pretty' || (format === 'auto' && stdout.isTTY === true);
}
