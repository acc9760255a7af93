import { describe, expect, it } from 'vitest';
import { capacityKeys } from '../../../src/redis/internal/capacityKeys.js';

describe('capacityKeys', () => {
  it('names the keys of the lease scripts, in the order the scripts read them, under the hash tag {key}', () => {
    const keys = capacityKeys('capacity:geocoder');
    expect(keys.prefix).toBe('{capacity:geocoder}');
    expect(keys.script).toEqual([
      '{capacity:geocoder}:leases',
      '{capacity:geocoder}:token',
      '{capacity:geocoder}:epoch',
      '{capacity:geocoder}:waiters',
    ]);
  });

  it("names a waiter's marker and wake-up list as the scripts derive them from the prefix", () => {
    const keys = capacityKeys('k');
    // capacityScripts.ts: prefix .. ':waiter:' .. waiter, and prefix .. ':wake:' .. waiter
    expect(keys.waiter('w-1')).toBe('{k}:waiter:w-1');
    expect(keys.wake('w-1')).toBe('{k}:wake:w-1');
  });

  it('keeps the keys of two capacities apart', () => {
    const one = capacityKeys('a');
    const other = capacityKeys('b');
    const all = [
      ...one.script,
      one.waiter('w'),
      one.wake('w'),
      ...other.script,
      other.waiter('w'),
      other.wake('w'),
    ];
    expect(new Set(all).size).toBe(all.length);
  });
});
