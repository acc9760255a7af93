import { describe, expect, it } from 'vitest';
import { SignalPool } from '../../src/internal/SignalPool.js';

describe('SignalPool', () => {
  it('hands a later call the controller of a call whose signal nobody listened to', () => {
    const pool = new SignalPool();
    const first = pool.take();
    pool.give(first);
    expect(pool.take()).toBe(first);
    expect(pool.take()).not.toBe(first);
  });

  it('never hands out again a signal that was listened to, by a listener or by onabort', () => {
    const pool = new SignalPool();
    const listened = pool.take();
    const handler = () => undefined;
    listened.signal.addEventListener('abort', handler);
    listened.signal.removeEventListener('abort', handler);
    pool.give(listened);
    const withOnabort = pool.take();
    withOnabort.signal.onabort = () => undefined;
    pool.give(withOnabort);
    const next = pool.take();
    expect([listened, withOnabort]).not.toContain(next);
  });

  it('keeps its listeners working on the signals it hands out', () => {
    const controller = new SignalPool().take();
    const heard: unknown[] = [];
    controller.signal.addEventListener('abort', () => heard.push(controller.signal.reason));
    controller.abort('stop');
    expect(heard).toEqual(['stop']);
  });

  it('keeps at most 64 idle controllers', () => {
    const pool = new SignalPool();
    const taken = Array.from({ length: 100 }, () => pool.take());
    for (const controller of taken) pool.give(controller);
    const again = new Set(Array.from({ length: 100 }, () => pool.take()));
    expect(taken.filter((controller) => again.has(controller))).toHaveLength(64);
  });
});
