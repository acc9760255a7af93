import { defineConfig } from 'vitest/config';

// The package check runs after `npm run build` and loads `dist/` through the package's own exports.
export default defineConfig({
  test: { include: ['test/package/**/*.test.ts'] },
});
