import { describe, expect, it, vi } from 'vitest';
import { AbortListeners } from '../../src/internal/AbortListeners.js';

describe('AbortListeners', () => {
  it('adds one listener per signal however many calls wait on it, and runs each call once', () => {
    const controller = new AbortController();
    const add = vi.spyOn(controller.signal, 'addEventListener');
    const listeners = new AbortListeners();
    const calls = Array.from({ length: 20 }, () => vi.fn());
    for (const call of calls) listeners.add(controller.signal, call);
    controller.abort();
    expect(add).toHaveBeenCalledTimes(1);
    for (const call of calls) expect(call).toHaveBeenCalledTimes(1);
  });

  it('removes the listener once no call waits on the signal any more', () => {
    const controller = new AbortController();
    const remove = vi.spyOn(controller.signal, 'removeEventListener');
    const listeners = new AbortListeners();
    const [first, second] = [vi.fn(), vi.fn()];
    listeners.add(controller.signal, first);
    listeners.add(controller.signal, second);
    listeners.delete(controller.signal, first);
    expect(remove).not.toHaveBeenCalled();
    listeners.delete(controller.signal, second);
    listeners.delete(controller.signal, second);
    expect(remove).toHaveBeenCalledTimes(1);
    controller.abort();
    expect(first).not.toHaveBeenCalled();
    expect(second).not.toHaveBeenCalled();
  });

  it('skips a call deleted by an earlier one while the signal aborts', () => {
    const controller = new AbortController();
    const listeners = new AbortListeners();
    const later = vi.fn();
    listeners.add(controller.signal, () => listeners.delete(controller.signal, later));
    listeners.add(controller.signal, later);
    controller.abort();
    expect(later).not.toHaveBeenCalled();
  });

  it('listens afresh on a new signal after the previous one aborted', () => {
    const listeners = new AbortListeners();
    const first = new AbortController();
    listeners.add(first.signal, () => undefined);
    first.abort();
    const second = new AbortController();
    const call = vi.fn();
    listeners.add(second.signal, call);
    second.abort();
    expect(call).toHaveBeenCalledTimes(1);
  });
});
