/** The results of one call that came before their turn. */
interface Slot<R> {
  values: R[];
  done: boolean;
}

/**
 * Puts the results of concurrent calls back into call order: the oldest unfinished call streams its
 * values straight through; a later call's values wait in its slot until every call before it is done.
 */
export class OrderedResults<R> {
  readonly #emit: (value: R) => void;
  readonly #slots = new Map<number, Slot<R>>();
  #nextCall = 0;
  #head = 0;

  constructor(emit: (value: R) => void) {
    this.#emit = emit;
  }

  /** Whether values are still held back. */
  get pending(): number {
    return this.#slots.size;
  }

  /** Registers a new call and returns its number. */
  start(): number {
    const call = this.#nextCall++;
    this.#slots.set(call, { values: [], done: false });
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
}
