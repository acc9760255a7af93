import type { FlowEvent } from '../FlowEvent.js';
import { renderValue } from './renderValue.js';

type Lane = 'source' | 'credits' | 'output' | 'dropped';
const lanes: readonly Lane[] = ['source', 'credits', 'output', 'dropped'];

/** Where each event that carries no value is drawn, and its mark (see the legend under the timeline). */
const marks = {
  subscribed: ['output', '^'],
  completed: ['output', '|'],
  unsubscribed: ['output', '!'],
  sourceSubscribed: ['source', '^'],
  sourceCompleted: ['source', '|'],
  sourceErrored: ['source', '#'],
  sourceReleased: ['source', '!'],
  creditsSubscribed: ['credits', '^'],
  creditsReleased: ['credits', '!'],
} as const satisfies Record<string, readonly [Lane, string]>;

function cell<T, R>(event: FlowEvent<T, R>): readonly [Lane, string] {
  switch (event.kind) {
    case 'delivered':
      return ['output', renderValue(event.item)];
    case 'errored':
      return ['output', `# ${renderValue(event.error, 48)}`];
    case 'received':
      return ['source', renderValue(event.item)];
    case 'granted':
      return [
        'credits',
        `+${event.credits === Number.POSITIVE_INFINITY ? '∞' : event.credits}${event.reentrant ? ' in next' : ''}`,
      ];
    case 'dropped':
      return ['dropped', `${renderValue(event.item)} (${event.reason})`];
    default:
      return marks[event.kind];
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
