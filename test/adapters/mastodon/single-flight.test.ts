import { describe, expect, test } from 'vitest';
import { SingleFlight } from '../../../src/adapters/mastodon/single-flight.ts';

/** A task whose runs are released by hand. */
function gatedTask() {
  const runs: string[] = [];
  const gates: (() => void)[] = [];
  const task = (arg: string) =>
    new Promise<void>((resolve) => {
      runs.push(arg);
      gates.push(resolve);
    });
  const release = async () => {
    gates.shift()!();
    await new Promise((resolve) => setImmediate(resolve));
  };
  return { runs, task, release };
}

describe('SingleFlight', () => {
  test('without rerun, a call while running shares the run', async () => {
    const { runs, task, release } = gatedTask();
    const flight = new SingleFlight(task, { rerun: false });
    const first = flight.run('a');
    const second = flight.run('b');
    expect(flight.busy).toBe(true);
    await release();
    await Promise.all([first, second]);
    expect(runs).toEqual(['a']);
    expect(flight.busy).toBe(false);
  });

  test('with rerun, calls while running make exactly one more run, with the first argument', async () => {
    const { runs, task, release } = gatedTask();
    const flight = new SingleFlight(task, { rerun: true });
    const first = flight.run('start');
    void flight.run('hint');
    void flight.run('hint again');
    await release();
    expect(runs).toEqual(['start', 'start']);
    await release();
    await first;
    expect(runs).toHaveLength(2);
    expect(flight.busy).toBe(false);
  });

  test('no rerun once stopped', async () => {
    const { runs, task, release } = gatedTask();
    let stopped = false;
    const flight = new SingleFlight(task, { rerun: true, stopped: () => stopped });
    const first = flight.run('x');
    void flight.run('y');
    stopped = true;
    await release();
    await first;
    expect(runs).toEqual(['x']);
  });

  test('a failed run rejects its callers, frees the flight, and settled() does not throw', async () => {
    const flight = new SingleFlight(async () => {
      throw new Error('boom');
    }, { rerun: false });
    const run = flight.run(undefined);
    await expect(flight.settled()).resolves.toBeUndefined();
    await expect(run).rejects.toThrow('boom');
    expect(flight.busy).toBe(false);
  });
});
