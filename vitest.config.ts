import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['test/package/**', 'node_modules/**'],
    coverage: { provider: 'v8', include: ['src/**/*.ts'] },
  },
});
