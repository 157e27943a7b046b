import { expect, test } from 'vitest';
import { formatStatus, statusJson } from '../../src/cli/operator.ts';
import type { Heartbeat } from '../../src/adapters/redis/service-registry.ts';
import { schedule, useCaseRig } from '../core/use-case-rig.ts';

const beat = (instance: string, faqProblem?: string): Heartbeat => ({
  instance,
  version: '0.1.0',
  startedAt: '2023-02-12T13:00:00.000Z',
  beatAt: '2023-02-12T13:59:55.000Z',
  schedules: [{ id: schedule.id, file: 'schedules/wien-rocks-2023-02-12.yaml', hash: 'abc123' }],
  ...(faqProblem === undefined ? {} : { faqProblem }),
});

test('herold status says which running service answers no question because its FAQ did not load, and what to do', async () => {
  const { operations } = useCaseRig();
  const report = await operations.status(schedule.id);
  const problem = 'templates/de/faq/examples.tsv:545:1: "wann" is not an FAQ id.';
  const text = formatStatus(report, [beat('a:1:ok'), beat('b:2:broken', problem)]).join('\n');
  expect(text).toContain(`  ⚠ b:2:broken answers no question: its FAQ did not load (${problem}). Fix it (herold doctor shows it), then restart herold run.`);
  expect(text).not.toContain('a:1:ok answers no question');
  expect(statusJson(report, [beat('b:2:broken', problem)]).running).toEqual([expect.objectContaining({ instance: 'b:2:broken', faqProblem: problem })]);
  expect(formatStatus(report, [beat('a:1:ok')]).join('\n')).not.toContain('answers no question');
});
