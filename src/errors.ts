/**
 * Herold's errors: one small hierarchy under HeroldError, each message a full
 * sentence that says what went wrong and what to do next. The CLI prints the
 * message of any HeroldError and exits 1 without a stack trace; anything else
 * is a bug and keeps its stack. This file is the public surface; the classes
 * live in src/errors/, grouped by what they mean:
 * - herold-error.ts: the base;
 * - file-problems-error.ts: a file that cannot be used as it is, with file:line:column per problem;
 * - job-fates.ts: what the worker does with a failed job (retry later, wait until, give up);
 * - mastodon-errors.ts: the instance's answers, each with its fate;
 * - usage-errors.ts: configuration, command line and webhook input;
 * - redis-unavailable-error.ts.
 */
export * from './errors/herold-error.ts';
export * from './errors/file-problems-error.ts';
export * from './errors/job-fates.ts';
export * from './errors/mastodon-errors.ts';
export * from './errors/usage-errors.ts';
export * from './errors/redis-unavailable-error.ts';
