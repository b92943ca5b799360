import { defineConfig } from 'vitest/config';

/** Three suites: unit (no network), integration (local stand-ins on free ports), infra (CDK). */
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          environment: 'node',
          env: { POWERTOOLS_LOG_LEVEL: 'SILENT' },
          testTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          environment: 'node',
          env: { POWERTOOLS_LOG_LEVEL: 'SILENT' },
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
          env: { POWERTOOLS_LOG_LEVEL: 'SILENT' },
          testTimeout: 300_000,
          hookTimeout: 300_000,
        },
      },
    ],
  },
});
