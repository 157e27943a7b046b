import { setTimeout as sleep } from 'node:timers/promises';
import { cappedBackoffMs } from '../../backoff.ts';
import { connectOrExplain, redisConnection } from './connect.ts';

export interface WaitForRedisOptions {
  /** One line per failed attempt: what is wrong, and when the next try comes. */
  readonly onAttempt: (attempt: { attempt: number; message: string; tookMs: number; nextInMs: number }) => void;
  /** Stops waiting (a signal during the start); the promise then resolves false. */
  readonly signal?: AbortSignal;
  /** The longest pause between attempts. Default 10 s. */
  readonly maxDelayMs?: number;
}

/**
 * Tries Redis until it answers: each attempt gives up within a few seconds
 * (a refused connection at once, a silent host after the connect timeout),
 * says so in one line, and waits a little longer before the next.
 * Resolves true once Redis answers, false when aborted.
 */
export async function waitForRedis(redisUrl: string, options: WaitForRedisOptions): Promise<boolean> {
  for (let attempt = 1; !options.signal?.aborted; attempt++) {
    const began = Date.now();
    const redis = redisConnection(redisUrl, 'producer');
    redis.on('error', () => undefined);
    try {
      await connectOrExplain(redis, redisUrl);
      return true;
    } catch (error) {
      const nextInMs = cappedBackoffMs(1000, attempt - 1, options.maxDelayMs ?? 10_000);
      options.onAttempt({ attempt, message: (error as Error).message, tookMs: Date.now() - began, nextInMs });
      await sleep(nextInMs, undefined, { signal: options.signal }).catch(() => undefined);
    } finally {
      redis.disconnect();
    }
  }
  return false;
}
