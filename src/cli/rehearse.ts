import { HeroldError, UsageError } from '../errors.ts';
import { DEFAULT_SPEED, rehearse } from '../rehearsal/rehearse.ts';
import { isMastodonVersion, MASTODON_VERSIONS } from '../sandbox/profiles.ts';

export interface RehearseCommandOptions {
  readonly speed?: string;
  readonly windowSpeed?: string;
  readonly questions?: string;
  readonly script?: string;
  readonly outage?: boolean;
  /** false with --no-fallback. */
  readonly fallback?: boolean;
  readonly mastodonVersion?: string;
  readonly scenario?: 'complete' | 'backout';
  readonly transcript?: string;
  readonly port?: string;
  readonly logLevel?: string;
}

function positive(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value.replace(/[_']/g, ''));
  if (!Number.isFinite(n) || n <= 0) throw new UsageError(`${name} must be a positive number, e.g. ${name} ${DEFAULT_SPEED}.`);
  return n;
}

/**
 * `herold rehearse <schedule>`: the whole day against the embedded sandbox
 * Mastodon and the real worker, with a live transcript and a progress bar.
 * Exit 0 when the maintenance ended as it should and every toot went out once.
 */
export async function rehearseCommand(file: string, options: RehearseCommandOptions, out: (line: string) => void): Promise<void> {
  const port = options.port === undefined ? undefined : Number(options.port);
  if (port !== undefined && !(Number.isInteger(port) && port >= 0 && port <= 65535)) throw new UsageError('--port must be a port number (0 picks a free one).');
  const version = options.mastodonVersion;
  if (version !== undefined && !isMastodonVersion(version)) {
    throw new UsageError(`--mastodon-version must be one of ${MASTODON_VERSIONS.join(', ')}; got "${version}".`);
  }
  const controller = new AbortController();
  const abort = () => controller.abort();
  process.once('SIGINT', abort);
  process.once('SIGTERM', abort);
  try {
    const result = await rehearse({
      schedule: file,
      speed: positive('--speed', options.speed),
      windowSpeed: positive('--window-speed', options.windowSpeed),
      questionsFile: options.questions,
      scriptFile: options.script,
      outage: options.outage ?? false,
      fallback: options.fallback ?? true,
      mastodonVersion: version,
      scenario: options.scenario ?? 'complete',
      transcript: options.transcript,
      port,
      logLevel: options.logLevel,
      out,
      tty: process.stdout.isTTY ? process.stdout : null,
      signal: controller.signal,
    });
    out('');
    if (!result.ok) {
      const why = result.problems.length > 0 ? ` ${result.problems.join('; ')}.` : '';
      throw new HeroldError(`${result.summary.replace(/^✘ /, '')}.${why}`);
    }
    out(result.summary);
  } finally {
    process.off('SIGINT', abort);
    process.off('SIGTERM', abort);
  }
}
