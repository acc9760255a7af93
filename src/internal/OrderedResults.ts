/** The results of one call that came before their turn. */
interface Slot<T, R> {
  readonly call: number;
  readonly item: T;
  readonly lane: Lane<T, R>;
  values: R[];
  done: boolean;
  /** The next call of the same key. */
  next: Slot<T, R> | undefined;
}

/** The unfinished calls of one key, in call order: the first streams, the others wait. */
interface Lane<T, R> {
  readonly key: unknown;
  first: Slot<T, R>;
  last: Slot<T, R>;
  /** Held values are being emitted: whatever settles meanwhile waits for that flush to reach it. */
  flushing: boolean;
}

const wholeStream: unique symbol = Symbol('wholeStream');

/**
 * Puts the results of concurrent calls back into call order: the oldest unfinished call streams its
 * values straight through; a later call's values wait in its slot until every call before it is done.
 *
 * With `key`, the order holds within a key only (`ordered: 'per-key'`): each key is a lane of its own,
 * and a call waits only for earlier calls of its key, so keys run in parallel.
 */
export class OrderedResults<T, R> {
  readonly #emit: (value: R) => void;
  readonly #key: ((item: T) => unknown) | undefined;
  readonly #slots = new Map<number, Slot<T, R>>();
  readonly #lanes = new Map<unknown, Lane<T, R>>();
  #nextCall = 0;

  constructor(emit: (value: R) => void, key?: (item: T) => unknown) {
    this.#emit = emit;
    this.#key = key;
  }

  /** How many calls are unfinished or hold values back. */
  get pending(): number {
    return this.#slots.size;
  }

  /** Registers a new call for `item` and returns its number. Throws what `key` throws. */
  start(item: T): number {
    const key = this.#key === undefined ? wholeStream : this.#key(item);
    const call = this.#nextCall++;
    const existing = this.#lanes.get(key);
    const lane = existing ?? ({ key, flushing: false } as Lane<T, R>);
    const slot: Slot<T, R> = { call, item, lane, values: [], done: false, next: undefined };
    if (existing === undefined) {
      lane.first = slot;
      this.#lanes.set(key, lane);
    } else {
      existing.last.next = slot;
    }
    lane.last = slot;
    this.#slots.set(call, slot);
    return call;
  }

  value(call: number, value: R): void {
    const slot = this.#slots.get(call);
    if (slot === undefined) return;
    if (slot.lane.first === slot && !slot.lane.flushing) this.#emit(value);
    else slot.values.push(value);
  }

  /**
   * The call is done: flush every finished call of its key that is now first. One flush a lane at a
   * time: a call that settles inside an emission of the flush (the subscriber's `next` fed the source,
   * and the new call of the same key answered synchronously) only marks itself done, and the running
   * flush emits it in its turn, never ahead of the values it has still to emit.
   */
  done(call: number): void {
    const slot = this.#slots.get(call);
    if (slot === undefined) return;
    slot.done = true;
    const lane = slot.lane;
    if (lane.flushing) return;
    lane.flushing = true;
    try {
      let first = lane.first;
      while (first.done) {
        this.#slots.delete(first.call);
        const next = first.next;
        if (next === undefined) {
          this.#lanes.delete(lane.key);
          return;
        }
        lane.first = next;
        first = next;
        // Read by index to the live length: values that arrive during an emission join this loop.
        const values = first.values;
        for (let index = 0; index < values.length; index++) this.#emit(values[index] as R);
        values.length = 0;
      }
    } finally {
      lane.flushing = false;
    }
  }

  /**
   * The output ended: forgets every call, and hands `report` the item of each finished call whose
   * values were still held back (they will never be emitted), in call order.
   */
  discard(report: (item: T) => void): void {
    const held = [...this.#slots.values()].filter((slot) => slot.done && slot.values.length > 0);
    this.#slots.clear();
    this.#lanes.clear();
    for (const slot of held) report(slot.item);
  }
}
