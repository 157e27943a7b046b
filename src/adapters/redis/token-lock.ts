import type { RedisConnection } from './connect.ts';

/**
 * A lock (or claim) in one Redis key whose value is the holder's token:
 * taken with SET NX PX, renewed and released only by the token that holds
 * it, so a holder whose lock expired and was taken by another cannot
 * extend or delete the new one. The one place for these scripts.
 */
const RENEW = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) else return 0 end";
const RELEASE = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end";

/** Takes the lock for `ttlMs` if nobody holds it; true if taken. */
export async function takeLock(redis: RedisConnection, key: string, token: string, ttlMs: number): Promise<boolean> {
  return (await redis.set(key, token, 'PX', ttlMs, 'NX')) === 'OK';
}

/** Extends the lock to `ttlMs` from now; false if `token` no longer holds it. */
export async function renewLock(redis: RedisConnection, key: string, token: string, ttlMs: number): Promise<boolean> {
  return (await redis.eval(RENEW, 1, key, token, ttlMs)) === 1;
}

/** Releases the lock if `token` still holds it; true if it did. */
export async function releaseLock(redis: RedisConnection, key: string, token: string): Promise<boolean> {
  return (await redis.eval(RELEASE, 1, key, token)) === 1;
}
