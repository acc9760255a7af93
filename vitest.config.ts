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
    include: ['test/**/*.test.ts'],
    exclude: ['test/package/**', 'node_modules/**'],
    coverage: { provider: 'v8', include: ['src/**/*.ts'] },
  },
});
