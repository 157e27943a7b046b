import { pino, type Logger } from 'pino';

/**
 * JSON logs for production; the same records, one line each, are readable
 * enough on a TTY. Tokens never reach a log: the paths below are redacted,
 * and no code logs config or headers wholesale.
 */
export function createLogger(level = 'info'): Logger {
  return pino({
    level,
    base: { service: 'herold' },
    redact: {
      paths: ['*.accessToken', '*.token', '*.authorization', 'headers.authorization', 'config.mastodonAccessToken', 'config.webhookToken'],
      censor: '[redacted]',
    },
  });
}
