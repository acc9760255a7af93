import { describe, expect, it } from 'vitest';
import { RoomBroadcast } from '../../../src/service/internal/RoomBroadcast.js';

const microtask = (): Promise<void> => new Promise((resolve) => queueMicrotask(resolve));

describe('RoomBroadcast', () => {
  it('gives a new subscriber the room there is, and every subscriber each grant', () => {
    let room = 2;
    const broadcast = new RoomBroadcast(() => room);
    const first: number[] = [];
    const second: number[] = [];
    broadcast.credits$.subscribe((n) => first.push(n));
    room = 0;
    broadcast.credits$.subscribe((n) => second.push(n));
    room = 1;
    broadcast.grant(1);
    expect(first).toEqual([2, 1]);
    expect(second).toEqual([1]);
  });

  it('hands out grants made while it notifies from the same loop, never by recursion', () => {
    const broadcast = new RoomBroadcast(() => 0);
    let depth = 0;
    let deepest = 0;
    const heard: number[] = [];
    broadcast.credits$.subscribe((n) => {
      depth++;
      deepest = Math.max(deepest, depth);
      heard.push(n);
      if (heard.length < 4) broadcast.grant(1);
      depth--;
    });
    broadcast.grant(1);
    expect(heard).toEqual([1, 1, 1, 1]);
    expect(deepest).toBe(1);
  });

  it('announces a freed slot after a microtask, and only while there is room and a listener', async () => {
    let room = 1;
    const broadcast = new RoomBroadcast(() => room);
    broadcast.slotFreed();
    const heard: number[] = [];
    broadcast.credits$.subscribe((n) => heard.push(n));
    expect(heard).toEqual([1]);
    broadcast.slotFreed();
    expect(heard).toEqual([1]);
    await microtask();
    expect(heard).toEqual([1, 1]);
    room = 0;
    broadcast.slotFreed();
    await microtask();
    expect(heard).toEqual([1, 1]);
  });

  it('does not give a new subscriber room that is freed and still to be announced', async () => {
    const broadcast = new RoomBroadcast(() => 1);
    const early: number[] = [];
    broadcast.credits$.subscribe((n) => early.push(n));
    broadcast.slotFreed();
    const late: number[] = [];
    broadcast.credits$.subscribe((n) => late.push(n));
    expect(late).toEqual([]);
    await microtask();
    expect(late).toEqual([1]);
    expect(early).toEqual([1, 1]);
  });

  it('holds the room freed during a do() call back one microtask longer than room freed after it', async () => {
    /** How many grants were heard by the first microtask queued after the slot was freed. */
    const heardByFirstMicrotask = async (insideCall: boolean): Promise<number> => {
      const broadcast = new RoomBroadcast(() => 1);
      const heard: number[] = [];
      broadcast.credits$.subscribe((n) => heard.push(n));
      if (insideCall) broadcast.enterCall();
      broadcast.slotFreed();
      if (insideCall) broadcast.leaveCall();
      let early = -1;
      queueMicrotask(() => {
        early = heard.length - 1;
      });
      await new Promise((resolve) => setTimeout(resolve, 0));
      expect(heard).toEqual([1, 1]);
      return early;
    };
    expect(await heardByFirstMicrotask(false)).toBe(1);
    expect(await heardByFirstMicrotask(true)).toBe(0);
  });
});
