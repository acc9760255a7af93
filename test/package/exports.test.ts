import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadedFiles } from './loadedFiles.js';

// The public surface, entry point by entry point. A new public name is a deliberate change: add it here.
const expected: Record<string, string[]> = {
  'rxjs-backpressure': [
    'AdaptiveService',
    'BackpressureError',
    'BufferOverflowError',
    'CallTimeoutError',
    'CircuitOpenError',
    'CreditController',
    'CreditsExhaustedError',
    'FlowMonitor',
    'HttpStatusError',
    'RateCredits',
    'ServiceAtCapacityError',
    'TrackedService',
    'aimdLimit',
    'circuitBreaker',
    'gradientLimit',
    'handshake',
    'httpService',
    'isBackpressureError',
    'mergeMapWithCredits',
    'pullFrom',
    'rateCredits',
    'requestCredits',
    'retryWithBackoff',
    'shareWithCredits',
    'toAsyncIterable',
    'toNodeReadable',
    'toReadableStream',
    'vegasLimit',
    'withHandshake',
    'writeTo',
  ],
  'rxjs-backpressure/testing': [
    'FlowControlViolationError',
    'FlowTrace',
    'checkFlowControl',
    'checkFlowControlAsync',
    'creditGrants',
    'flowScenario',
    'invariants',
    'runScenario',
  ],
  'rxjs-backpressure/http': ['RemoteService', 'RemoteServiceError', 'handshakeHandler'],
  'rxjs-backpressure/otel': ['instrument'],
  'rxjs-backpressure/redis': ['DistributedCapacity', 'fromRedisStream'],
};

const require = createRequire(import.meta.url);

describe.each(Object.entries(expected))('the built entry point %s', (specifier, names) => {
  it('exports exactly the expected names through import', async () => {
    const module: Record<string, unknown> = await import(specifier);
    expect(
      Object.keys(module)
        .filter((name) => name !== 'default')
        .sort(),
    ).toEqual([...names].sort());
  });

  it('exports exactly the expected names through require', () => {
    const module: Record<string, unknown> = require(specifier);
    expect(Object.keys(module).sort()).toEqual([...names].sort());
  });

  it('resolves import and require to different builds of the same code', () => {
    const viaRequire = require.resolve(specifier);
    expect(viaRequire).toMatch(/\.cjs$/);
    expect(import.meta.resolve(specifier)).toMatch(/\.js$/);
  });
});

describe('the main entry point', () => {
  // Each build with the shared chunks it loads.
  const builds = [
    require.resolve('rxjs-backpressure'),
    fileURLToPath(import.meta.resolve('rxjs-backpressure')),
  ].flatMap(loadedFiles);

  // Optional peers stay behind their own entry points, and no Node.js module is imported, so the main
  // entry point loads in browsers and bundlers as it is.
  it.each([
    ['fast-check', 'fast-check'],
    ['@opentelemetry/api', '@opentelemetry'],
    ['ioredis', 'ioredis'],
    ['any node: module', "'node:"],
  ])('never loads %s, in either build', (_name, text) => {
    for (const file of builds) expect(readFileSync(file, 'utf8')).not.toContain(text);
  });
});
