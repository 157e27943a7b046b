import { HeroldError } from './herold-error.ts';

/** Redis does not answer; nothing can be scheduled or recorded without it. */
export class RedisUnavailableError extends HeroldError {
  override name = 'RedisUnavailableError';
}
