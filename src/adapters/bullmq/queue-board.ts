import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import type { BaseAdapter } from '@bull-board/api/baseAdapter';
import type { Queue } from 'bullmq';

/**
 * The queues the bull-board dashboard shows, as bull-board adapters. Made
 * here, in the BullMQ adapter, so that the HTTP side serves the dashboard
 * without knowing BullMQ.
 */
export interface QueueBoard {
  /** Read-only unless `write` (HEROLD_ADMIN_WRITE): then jobs may be promoted, retried, cleaned, removed, added. */
  adapters(options: { readonly write: boolean }): BaseAdapter[];
}

export function queueBoard(...queues: Queue[]): QueueBoard {
  return {
    adapters: ({ write }) => queues.map((queue) => new BullMQAdapter(queue, { readOnlyMode: !write, allowRetries: write })),
  };
}
