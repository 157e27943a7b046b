import { createHash } from 'node:crypto';

/** A schedule file as `herold run` read it: the service stores it, so operator commands need no file. */
export interface ScheduleSource {
  readonly id: string;
  readonly file: string;
  readonly text: string;
  /** Names this version of the file: the first 12 hex digits of its SHA-256. */
  readonly hash: string;
}

export function scheduleHash(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex').slice(0, 12);
}
