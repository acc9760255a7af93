import { describe, expect, it } from 'vitest';
import { LatencyReservoir } from '../../src/monitor/LatencyReservoir.js';

describe('LatencyReservoir', () => {
  it('has no percentiles before the first duration', () => {
    expect(new LatencyReservoir().percentiles()).toBeUndefined();
  });

  it('gives the nearest-rank percentiles, in numeric order whatever the order recorded', () => {
    const reservoir = new LatencyReservoir();
    for (const ms of [9, 100, 2, 30, 7]) reservoir.record(ms);
    expect(reservoir.percentiles()).toEqual({ p50: 9, p99: 100 });
  });

  it('keeps only the 1024 most recent durations', () => {
    const reservoir = new LatencyReservoir();
    for (let ms = 1; ms <= 2000; ms++) reservoir.record(ms);
    // Kept: 977..2000. Rank 512 of 1024 is 1488; rank 1014 is 1990.
    expect(reservoir.percentiles()).toEqual({ p50: 1488, p99: 1990 });
  });
});
