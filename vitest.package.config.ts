import { defineConfig } from 'vitest/config';

// The package check runs after `npm run build` and loads `dist/` through the package's own exports.
// Its tests compile whole TypeScript programs and bundle the package: seconds each, more on a busy
// machine, so they get a minute rather than vitest's default of five seconds.
export default defineConfig({
  test: { include: ['test/package/**/*.test.ts'], testTimeout: 60_000 },
});
