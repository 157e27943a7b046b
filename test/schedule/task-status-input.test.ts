import { expect, test } from 'vitest';
import { parseTaskStatus } from '../../src/schedule/task-status-input.ts';
import { closestId, didYouMean } from '../../src/schedule/closest-id.ts';

test.each([
  ['done', 'done'],
  ['fertig', 'done'],
  ['Erledigt', 'done'],
  ['läuft', 'running'],
  ['laeuft', 'running'],
  ['la\u0308uft', 'running'],
  ['fehlgeschlagen', 'failed'],
  ['übersprungen', 'skipped'],
  ['RUNNING', 'running'],
  ['pending', null],
  ['kaputt', null],
])('status %s is %s', (typed, status) => expect(parseTaskStatus(typed)).toBe(status));

test.each([
  ['abschlatung', 'abschaltung'],
  ['tsl', 'tls'],
  ['dns-umstelung', 'dns-umstellung'],
  ['wien-rocks-2026', 'wien-rocks-2026-03-14'],
  ['kaffee', null],
  ['x', null],
])('closest id to %s is %s', (typed, id) => {
  expect(closestId(typed, ['abschaltung', 'tls', 'dns-umstellung', 'wien-rocks-2026-03-14', 'datenbank'])).toBe(id);
});

test('didYouMean names the match, or says nothing', () => {
  expect(didYouMean('tsl', ['tls', 'dns'])).toBe(' Did you mean "tls"?');
  expect(didYouMean('kaffee', ['tls', 'dns'])).toBe('');
});
