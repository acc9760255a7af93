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
    const lane = existing ?? ({ key } as Lane<T, R>);
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
    if (slot.lane.first === slot) this.#emit(value);
    else slot.values.push(value);
  }

  /** The call is done: flush every finished call of its key that is now first. */
  done(call: number): void {
    const slot = this.#slots.get(call);
    if (slot === undefined) return;
    slot.done = true;
    const lane = slot.lane;
    let first: Slot<T, R> | undefined = lane.first;
    while (first?.done === true) {
      this.#slots.delete(first.call);
      first = first.next;
      if (first === undefined) {
        this.#lanes.delete(lane.key);
        return;
      }
      lane.first = first;
      for (const value of first.values.splice(0)) this.#emit(value);
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
