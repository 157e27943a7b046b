/**
 * One small error hierarchy. Every message is a full sentence that says what
 * went wrong and what to do next; the CLI prints `message` and exits 1 without
 * a stack trace for any HeroldError. Anything else is a bug and keeps its stack.
 */
export class HeroldError extends Error {
  override name = 'HeroldError';

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}
