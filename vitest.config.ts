import { defineConfig } from 'vitest/config';
import { isUpstreamShutdownError } from './test/support/upstream-shutdown-error.ts';

/**
 * Unit tests: pure code only. No Redis, no server, no child process, no
 * timers that wait for real time (test/architecture/test-projects.test.ts
 * checks their imports). They share one module cache per worker
 * (isolate: false), which saves loading the same sources once per file.
 */
export const UNIT_TESTS = [
  'test/architecture/**/*.test.ts',
  'test/adapters/mastodon/{own-status-lookup,retry-clock,single-flight,unseen-post-outcome}.test.ts',
  'test/backoff.test.ts',
  'test/checks/{dns-spread,parse-check,pure}.test.ts',
  'test/cli/faq-eval.test.ts',
  'test/core/{edit-pacing,intake,late-toot-fate,operations,primary-check,processor,rate-budget,reply-processor,statuses-reserve}.test.ts',
  'test/adapters/redis/redis-url.test.ts',
  'test/doctor/**/*.test.ts',
  'test/faq/**/*.test.ts',
  'test/http/{config,feed,metrics,public-view,sse-hub}.test.ts',
  'test/render/**/*.test.ts',
  'test/schedule/**/*.test.ts',
  'test/security/config.test.ts',
];

export default defineConfig({
  test: {
    // Tests live in test/, mirroring src/ (test/support/ holds what several folders share).
    // Child processes start from dist/: rebuild it first when a source is newer.
    globalSetup: ['test/global-setup.ts'],
    // BullMQ #3546 (test/support/upstream-shutdown-error.ts): said on stderr, not counted; anything else fails the run.
    onUnhandledError(error) {
      if (!isUpstreamShutdownError(error)) return;
      process.stderr.write(`vitest: ignored an unhandled "Connection is closed." from ioredis at shutdown (BullMQ #3546)\n`);
      return false;
    },
    testTimeout: 30_000,
    hookTimeout: 30_000,
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: UNIT_TESTS,
          pool: 'threads',
          isolate: false,
          maxWorkers: 2,
          // First, on their own: CPU-bound, done in seconds, and out of the way of the timing tests.
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/**/*.test.ts'],
          exclude: UNIT_TESTS,
          // Files run side by side, each in its own process. Every integration test has its own Redis
          // key prefix, its own sandbox on port 0 and its own temp files, so they do not meet. Two at
          // once, one per core: four and three on 2 cores let timing tests (checks every second, slow
          // commits) slip past their waits in clean CI runs.
          pool: 'forks',
          // The files of one fork share its module cache, as the unit tests do: each file imported the
          // sources anew before (import time 87–101 s in all, now 15–18 s; the suite 276–288 s → 222–230 s).
          // Nothing of a test lives in module state: each has its own prefix, ports, registry and files.
          isolate: false,
          maxWorkers: 2,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
