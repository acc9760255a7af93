import { defineConfig } from 'tsup';

export default defineConfig({
  entry: {
    index: 'src/index.ts',
    'testing/index': 'src/testing/index.ts',
    'http/index': 'src/http/index.ts',
    'otel/index': 'src/otel/index.ts',
    'redis/index': 'src/redis/index.ts',
  },
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'es2022',
  // Code the secondary entry points share with the main one goes to shared chunks (for CJS too, where
  // tsup has rollup convert the split ESM output chunk by chunk), so a program loads one copy of it.
  splitting: true,
  treeshake: true,
  // The secondary entry points import the main one by name, so a program loads one copy of it.
  external: ['rxjs', 'fast-check', '@opentelemetry/api', 'ioredis', 'rxjs-backpressure'],
});
