/** The results of one call that came before their turn. */
interface Slot<T, R> {
  readonly item: T;
  values: R[];
  done: boolean;
}

/**
 * Puts the results of concurrent calls back into call order: the oldest unfinished call streams its
 * values straight through; a later call's values wait in its slot until every call before it is done.
 */
export class OrderedResults<T, R> {
  readonly #emit: (value: R) => void;
  readonly #slots = new Map<number, Slot<T, R>>();
  #nextCall = 0;
  #head = 0;

  constructor(emit: (value: R) => void) {
    this.#emit = emit;
  }

  /** Whether values are still held back. */
  get pending(): number {
    return this.#slots.size;
  }

  /** Registers a new call for `item` and returns its number. */
  start(item: T): number {
    const call = this.#nextCall++;
    this.#slots.set(call, { item, values: [], done: false });
    return call;
  }

  value(call: number, value: R): void {
    if (call === this.#head) this.#emit(value);
    else this.#slots.get(call)?.values.push(value);
  }

  /** The call is done: flush every finished call that is now at the head. */
  done(call: number): void {
    const slot = this.#slots.get(call);
    if (slot === undefined) return;
    slot.done = true;
    while (this.#slots.get(this.#head)?.done === true) {
      this.#slots.delete(this.#head);
      this.#head++;
      const next = this.#slots.get(this.#head);
      if (next === undefined) break;
      for (const value of next.values.splice(0)) this.#emit(value);
    }
  }

  /**
   * The output ended: forgets every call, and hands `report` the item of each finished call whose
   * values were still held back (they will never be emitted), in call order.
   */
  discard(report: (item: T) => void): void {
    const held = [...this.#slots.values()].filter((slot) => slot.done && slot.values.length > 0);
    this.#slots.clear();
    for (const slot of held) report(slot.item);
  }
}
