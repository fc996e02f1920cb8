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
  },
});
