import { DateTime } from 'luxon';
import { describe, expect, test } from 'vitest';
import {
  dateChangedTootId,
  milestoneTootId,
  notifyPostKey,
  postKey,
  postKeyPrefix,
  reminderTootId,
  replyPostKey,
  stamp,
  threadPartId,
  tootIdOfPostKey,
} from '../../src/schedule/toot-ids.ts';

const start = DateTime.fromISO('2023-02-12T15:00:00', { zone: 'Europe/Vienna' });

describe('toot ids', () => {
  test('a stamp is compact UTC without ":" (BullMQ job ids)', () => {
    expect(stamp(start)).toBe('20230212T140000Z');
    expect(stamp(start)).not.toContain(':');
  });

  test('reminders and the date-changed notice belong to a window start; milestones to a task', () => {
    expect(reminderTootId('eine-stunde-vorher', start)).toBe('eine-stunde-vorher@20230212T140000Z');
    expect(reminderTootId('eine-stunde-vorher', start.plus({ days: 7 }))).not.toBe(reminderTootId('eine-stunde-vorher', start));
    expect(dateChangedTootId(start)).toBe('date-changed@20230212T140000Z');
    expect(milestoneTootId('dns')).toBe('milestone-dns');
  });

  test('the first part of a thread is the toot itself, the others are numbered from 2', () => {
    expect(threadPartId('start', 0)).toBe('start');
    expect(threadPartId('start', 1)).toBe('start.2');
    expect(threadPartId('start', 2)).toBe('start.3');
  });

  test.each([
    ['start', 'primary'],
    ['start.2', 'fallback'],
    ['eine-stunde-vorher@20230212T140000Z', 'primary'],
  ] as const)('the Idempotency-Key of %s on the %s account reads back as the toot id', (partId, role) => {
    const key = postKey({ id: 'wien' }, partId, role);
    expect(key).toBe(`herold.wien.${partId}.${role}`);
    expect(key.startsWith(postKeyPrefix('wien'))).toBe(true);
    expect(tootIdOfPostKey(key, 'wien')).toBe(partId);
  });

  test("another schedule's key, a reply's key or none is no toot id of this schedule", () => {
    expect(tootIdOfPostKey(postKey({ id: 'wien-2' }, 'start'), 'wien')).toBeNull();
    expect(tootIdOfPostKey(replyPostKey('123'), 'wien')).toBeNull();
    expect(tootIdOfPostKey(null, 'wien')).toBeNull();
    expect(replyPostKey('123')).toBe('herold.reply.123');
    expect(tootIdOfPostKey(notifyPostKey('wien', '42'), 'wien')).toBeNull();
    expect(notifyPostKey('wien', '42')).toBe('herold.notify.wien.42');
  });
});
