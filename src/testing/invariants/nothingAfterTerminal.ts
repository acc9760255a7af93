import type { Invariant } from '../Invariant.js';

const name = 'nothingAfterTerminal';

/**
 * After the output completes, errors or is unsubscribed, it delivers nothing and signals no other
 * completion or error. Mirrors Reactive Streams §1.7 (no signal after a terminal one) and §1.8 (a
 * cancelled subscriber stops being signalled).
 */
export const nothingAfterTerminal: Invariant = {
  name,
  description:
    'After the output completes, errors or is unsubscribed, it delivers nothing and signals no other end.',
  rule: '§1.7, §1.8',
  check(trace) {
    let ended: string | undefined;
    for (const [index, event] of trace.events.entries()) {
      const signal = event.kind === 'delivered' || event.kind === 'completed' || event.kind === 'errored';
      if (ended !== undefined && signal) {
        const what = event.kind === 'delivered' ? 'delivered an item' : event.kind;
        return { invariant: name, message: `the output ${what} after it had ${ended}.`, eventIndex: index };
      }
      if (ended === undefined && (signal || event.kind === 'unsubscribed') && event.kind !== 'delivered') {
        ended = event.kind === 'unsubscribed' ? 'been unsubscribed' : event.kind;
      }
    }
    return undefined;
  },
};
