import { expect } from 'vitest';
import { FileProblemsError, ScheduleError } from '../../src/errors.ts';

/** The problems of the ScheduleError `run` throws; fails the test when it throws none or another error. */
export function problemsOf(run: () => unknown): ScheduleError['problems'] {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(FileProblemsError);
    return (error as ScheduleError).problems;
  }
  throw new Error('expected a ScheduleError');
}

/** problemsOf for a promise. */
export async function asyncProblemsOf(run: () => Promise<unknown>): Promise<ScheduleError['problems']> {
  try {
    await run();
  } catch (error) {
    expect(error).toBeInstanceOf(FileProblemsError);
    return (error as ScheduleError).problems;
  }
  throw new Error('expected a ScheduleError');
}
