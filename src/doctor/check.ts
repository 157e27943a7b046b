/** One line of `herold doctor`: what was checked, how it went, and what to do about it. */
export interface CheckResult {
  readonly status: 'ok' | 'warn' | 'fail';
  /** Short name, e.g. "redis", "token", "schedule wien-rocks-2023-02-12". */
  readonly check: string;
  readonly message: string;
  /** What to do; shown after the message for warn and fail. */
  readonly fix?: string;
}

export const ok = (check: string, message: string): CheckResult => ({ status: 'ok', check, message });
export const warn = (check: string, message: string, fix?: string): CheckResult => ({ status: 'warn', check, message, fix });
export const fail = (check: string, message: string, fix?: string): CheckResult => ({ status: 'fail', check, message, fix });

/** `ok    redis               Redis 7.0.15 answers in 1 ms.` */
export function formatCheck(result: CheckResult): string {
  const fix = result.fix && result.status !== 'ok' ? ` Fix: ${result.fix}` : '';
  return `${result.status.padEnd(5)} ${result.check.padEnd(20)} ${result.message}${fix}`;
}

/** Hides the password in a Redis URL. */
export function maskUrl(url: string): string {
  return url.replace(/\/\/[^@/]*@/, '//***@');
}
