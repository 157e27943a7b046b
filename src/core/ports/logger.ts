/** One log call: structured fields and a sentence, or just the sentence. */
export interface LogFn {
  (fields: object, message?: string): void;
  (message: string): void;
}

/**
 * What the core logs through. pino's Logger fits it; the core never imports
 * pino, so a test can hand in a recorder or a silent logger.
 */
export interface Logger {
  readonly debug: LogFn;
  readonly info: LogFn;
  readonly warn: LogFn;
  readonly error: LogFn;
}
