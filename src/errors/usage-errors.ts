import { HeroldError } from './herold-error.ts';

/** An environment variable is missing or invalid. */
export class ConfigError extends HeroldError {
  override name = 'ConfigError';

  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(message);
  }
}

/** Something the operator typed on the command line or sent to the webhook is not valid. */
export class UsageError extends HeroldError {
  override name = 'UsageError';
}

/** A new deadline earlier than the one in force, which followers were told: it needs an explicit yes. */
export class EarlierDeadlineError extends UsageError {
  override name = 'EarlierDeadlineError';

  constructor(
    message: string,
    /** The requested deadline and the one in force, as local "dd.MM.yyyy HH:mm" in the schedule's zone. */
    readonly requested: string,
    readonly inForce: string,
  ) {
    super(message);
  }
}

/** A schedule, task or other id that Herold does not know. */
export class NotFoundError extends HeroldError {
  override name = 'NotFoundError';
}
