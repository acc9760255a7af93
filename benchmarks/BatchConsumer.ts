/** The consumer every contender shares: counts items and asks for `size` more each time a batch is spent. */
export class BatchConsumer {
  count = 0;
  readonly #size: number;
  readonly #ask: (n: number) => void;
  #left: number;

  constructor(size: number, ask: (n: number) => void) {
    this.#size = size;
    this.#ask = ask;
    this.#left = size;
  }

  next(): void {
    this.count++;
    if (--this.#left === 0) {
      this.#left = this.#size;
      this.#ask(this.#size);
    }
  }
}
