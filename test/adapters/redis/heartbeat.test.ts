import { expect, test } from 'vitest';
import { startHeartbeat } from '../../../src/adapters/redis/heartbeat.ts';
import { ServiceRegistry } from '../../../src/adapters/redis/service-registry.ts';
import { schedule } from '../../core/use-case-rig.ts';
import { onFreshPrefix } from '../store-fixture.ts';

test('a beat names the schedules it runs and, while the FAQ did not load, why; it says goodbye when stopped', async () => {
  let faqProblem: string | null = 'templates/de/faq/faq.yaml:3: bad indentation.';
  const fixture = await onFreshPrefix((redis, prefix) => ({ redis, prefix }));
  try {
    const { redis, prefix } = fixture.store;
    const registry = new ServiceRegistry(redis, prefix);
    const heartbeat = await startHeartbeat({
      redis,
      prefix,
      schedules: () => [schedule],
      sources: () => new Map(),
      faqProblem: () => faqProblem,
      intervalMs: 60_000,
    });
    const [first] = await registry.live();
    expect(first).toMatchObject({ instance: heartbeat.instance, faqProblem, schedules: [{ id: schedule.id }] });

    faqProblem = null;
    await heartbeat.beat();
    const [second] = await registry.live();
    expect(second).not.toHaveProperty('faqProblem');

    await heartbeat.stop();
    expect(await registry.live()).toEqual([]);
  } finally {
    await fixture.close();
  }
});
