import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    // The secondary entry points (testing, http, otel) import the main one by its package name, so the
    // built package shares one copy of it; in tests that name means the source.
    alias: [
      { find: /^rxjs-backpressure$/, replacement: fileURLToPath(new URL('./src/index.ts', import.meta.url)) },
    ],
  },
  test: {
    coverage: { provider: 'v8', include: ['src/**/*.ts'] },
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts'],
          exclude: ['test/package/**', 'test/redis/**', 'node_modules/**'],
          sequence: { groupOrder: 0 },
        },
      },
      // The Redis tests start servers and worker processes and measure timing across them: they run
      // after every other file, one file at a time, so neither disturbs the other's timing.
      {
        extends: true,
        test: {
          name: 'redis',
          include: ['test/redis/**/*.test.ts'],
          fileParallelism: false,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
