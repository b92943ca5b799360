import { defineConfig } from 'vitest/config';

/** Powertools kept quiet in tests, as the local runtime keeps it: no logs, no tracing, no metric lines. */
const QUIET = {
  POWERTOOLS_LOG_LEVEL: 'SILENT',
  POWERTOOLS_TRACE_ENABLED: 'false',
  POWERTOOLS_METRICS_DISABLED: 'true',
};

/** Three suites: unit (no network), integration (local stand-ins on free ports), infra (CDK). */
export default defineConfig({
  test: {
    // In CI a JSON report is written as well, so that .ci/run can print one plain summary line.
    reporters: process.env.CI
      ? ['default', ['json', { outputFile: '.ci/vitest-results.json' }]]
      : ['default'],
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          environment: 'node',
          env: QUIET,
          testTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          environment: 'node',
          env: QUIET,
          testTimeout: 180_000,
          hookTimeout: 180_000,
          fileParallelism: false,
        },
      },
      {
        test: {
          name: 'infra',
          include: ['test/infra/**/*.test.ts'],
          environment: 'node',
          env: QUIET,
          testTimeout: 300_000,
          hookTimeout: 300_000,
        },
      },
    ],
  },
});
