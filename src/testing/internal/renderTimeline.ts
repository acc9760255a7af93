import type { FlowEvent } from '../FlowEvent.js';
import { renderValue } from './renderValue.js';

type Lane = 'source' | 'credits' | 'output' | 'dropped';
const lanes: readonly Lane[] = ['source', 'credits', 'output', 'dropped'];

function cell<T, R>(event: FlowEvent<T, R>): [Lane, string] {
  switch (event.kind) {
    case 'subscribed':
      return ['output', '^'];
    case 'delivered':
      return ['output', renderValue(event.item)];
    case 'completed':
      return ['output', '|'];
    case 'errored':
      return ['output', `# ${renderValue(event.error, 48)}`];
    case 'unsubscribed':
      return ['output', '!'];
    case 'sourceSubscribed':
      return ['source', '^'];
    case 'received':
      return ['source', renderValue(event.item)];
    case 'sourceCompleted':
      return ['source', '|'];
    case 'sourceErrored':
      return ['source', '#'];
    case 'sourceReleased':
      return ['source', '!'];
    case 'creditsSubscribed':
      return ['credits', '^'];
    case 'granted':
      return [
        'credits',
        `+${event.credits === Number.POSITIVE_INFINITY ? '∞' : event.credits}${event.reentrant ? ' in next' : ''}`,
      ];
    case 'creditsReleased':
      return ['credits', '!'];
    case 'dropped':
      return ['dropped', `${renderValue(event.item)} (${event.reason})`];
  }
}

/**
 * Renders a trace as an aligned timeline: one row per event, a column per lane, the virtual time on
 * the first row of each tick, and `marks` (by event index) at the end of their row. Past `maxRows`
 * events, only the first and last `maxRows / 2` and the marked ones are shown, each gap as one line
 * counting what it hides, so a run that recorded a flood of events (a runaway timer) stays readable.
 */
export function renderTimeline<T, R>(
  trace: { readonly events: readonly FlowEvent<T, R>[] },
  marks: ReadonlyMap<number, string> = new Map(),
  maxRows = Number.POSITIVE_INFINITY,
): string {
  const header = ['time', ...lanes];
  const { events } = trace;
  const head = Math.ceil(maxRows / 2);
  const shown = (index: number): boolean =>
    events.length <= maxRows || index < head || index >= events.length - (maxRows - head) || marks.has(index);
  type Entry = { readonly row: readonly string[]; readonly index: number } | { readonly hidden: number };
  const entries: Entry[] = [];
  let previousAt: number | undefined;
  let hidden = 0;
  events.forEach((event, index) => {
    if (!shown(index)) {
      hidden += 1;
      return;
    }
    if (hidden > 0) entries.push({ hidden });
    const [lane, text] = cell(event);
    // After a gap the time is shown again: the tick may have changed among the hidden events.
    const sameTick = event.at === previousAt && hidden === 0;
    entries.push({
      row: [sameTick ? '' : String(event.at), ...lanes.map((name) => (name === lane ? text : ''))],
      index,
    });
    previousAt = event.at;
    hidden = 0;
  });
  if (hidden > 0) entries.push({ hidden });
  const rows = entries.flatMap((entry) => ('row' in entry ? [entry.row] : []));
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const line = (row: readonly string[]): string =>
    row
      .map((text, column) =>
        column === 0 ? text.padStart(widths[0] ?? 0) : text.padEnd(widths[column] ?? 0),
      )
      .join('  ');
  const body = entries.map((entry) => {
    if (!('row' in entry)) return `  … ${entry.hidden} more event${entry.hidden === 1 ? '' : 's'}`;
    const mark = marks.get(entry.index);
    return (mark === undefined ? line(entry.row) : `${line(entry.row)}  ← ${mark}`).trimEnd();
  });
  return [
    line(header).trimEnd(),
    ...body,
    '(^ subscribed, ! unsubscribed or released, | completed, # errored, +n granted)',
  ].join('\n');
}
