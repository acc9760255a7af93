import { describe, expect, it } from 'vitest';
import { OrderedResults } from '../../src/internal/OrderedResults.js';

describe('OrderedResults', () => {
  it('emits a call that settles inside a flush of its key after the values that flush still holds', () => {
    const emitted: string[] = [];
    let fourth = -1;
    const ordered = new OrderedResults<string, string>((value) => {
      emitted.push(value);
      if (value === 'b.0') {
        // The subscriber feeds a new call of the same key, answered at once.
        fourth = ordered.start('d');
        ordered.value(fourth, 'd.0');
        ordered.done(fourth);
      }
    });
    const [a, b, c] = ['a', 'b', 'c'].map((item) => ordered.start(item)) as [number, number, number];
    for (const value of ['b.0', 'b.1', 'b.2']) ordered.value(b, value);
    ordered.done(b);
    ordered.value(c, 'c.0');
    ordered.done(c);
    ordered.value(a, 'a.0');
    ordered.done(a);
    expect(emitted).toEqual(['a.0', 'b.0', 'b.1', 'b.2', 'c.0', 'd.0']);
    expect(ordered.pending).toBe(0);
  });

  it('keeps a value of the call that just became first behind the values it held, when it comes during their flush', () => {
    const emitted: string[] = [];
    let b = -1;
    const ordered = new OrderedResults<string, string>((value) => {
      emitted.push(value);
      if (value === 'b.0') ordered.value(b, 'b.late');
    });
    const a = ordered.start('a');
    b = ordered.start('b');
    ordered.value(b, 'b.0');
    ordered.value(b, 'b.1');
    ordered.done(a);
    expect(emitted).toEqual(['b.0', 'b.1', 'b.late']);
    ordered.value(b, 'b.2'); // b is first and streams
    expect(emitted).toEqual(['b.0', 'b.1', 'b.late', 'b.2']);
    ordered.done(b);
    expect(ordered.pending).toBe(0);
  });

  it('keeps keys apart: a flush of one key does not hold back another key', () => {
    const emitted: string[] = [];
    let y = -1;
    const ordered = new OrderedResults<string, string>(
      (value) => {
        emitted.push(value);
        if (value === 'x2.0') ordered.value(y, 'y.0');
      },
      (item) => item[0],
    );
    const x1 = ordered.start('x1');
    const x2 = ordered.start('x2');
    y = ordered.start('y');
    ordered.value(x2, 'x2.0');
    ordered.value(x2, 'x2.1');
    ordered.done(x2);
    ordered.done(x1);
    expect(emitted).toEqual(['x2.0', 'y.0', 'x2.1']);
  });
});
