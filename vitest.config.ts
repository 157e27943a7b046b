import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Tests live in test/, mirroring src/ (test/support/ holds what several folders share).
    include: ['test/**/*.test.ts'],
    // Child processes start from dist/: rebuild it first when a source is newer.
    globalSetup: ['test/global-setup.ts'],
    // Files run side by side, each in its own process. Every integration test has its own Redis
    // key prefix, its own sandbox on port 0 and its own temp files, so they do not meet. Most of
    // the suite's time is waiting (locks, rate windows, scaled clocks), so more files than cores
    // run at once: two, one per core, since four and three on 2 cores let timing tests (checks every
    // second, slow commits) slip past their waits in clean CI runs.
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
