import { defineConfig } from 'vitest/config';

// One runner for engine, services and e2e specs. Docker/bpftrace tests are slow and need root:
// they live under e2e/ and announce clearly when they skip.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'e2e/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    reporters: ['default'],
    // UI specs poll the page for a state; on a shared 2-core machine 1 s (the default) is too
    // short for a bundle to open while other suites run, and gave flaky failures.
    expect: { poll: { timeout: 15_000, interval: 50 } },
  },
});
