import type { PostKind } from './jobs.ts';

/**
 * How a log line names a toot: its kind in words and its id, so that
 * "Posted the start toot" never reads "Posted start start".
 */
export function tootLabel(kind: PostKind | 'progress', tootId: string, ref: string | null = null): string {
  switch (kind) {
    case 'announcement':
      return `the announcement ${ref ?? tootId}`;
    case 'reminder':
      return `the reminder ${ref ?? tootId}`;
    case 'milestone':
      return `the milestone of task ${ref ?? tootId}`;
    case 'start':
      return 'the start toot (also the progress toot)';
    case 'progress':
      return 'the progress toot';
    case 'correction':
      return `the correction of the milestone of task ${ref ?? tootId}`;
    case 'deadline-moved':
      return `the reply that the deadline moved (${tootId})`;
    case 'date-changed':
      return `the date-changed toot (${tootId})`;
    default:
      return `the ${kind} toot`;
  }
}
