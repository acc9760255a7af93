import type { FlowEvent } from '../FlowEvent.js';
import type { FlowTrace } from '../FlowTrace.js';
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
 * the first row of each tick, and `marks` (by event index) at the end of their row.
 */
export function renderTimeline<T, R>(
  trace: FlowTrace<T, R>,
  marks: ReadonlyMap<number, string> = new Map(),
): string {
  const header = ['time', ...lanes];
  let previousAt: number | undefined;
  const rows = trace.events.map((event) => {
    const [lane, text] = cell(event);
    const row = [
      event.at === previousAt ? '' : String(event.at),
      ...lanes.map((name) => (name === lane ? text : '')),
    ];
    previousAt = event.at;
    return row;
  });
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const line = (row: readonly string[]): string =>
    row
      .map((text, column) =>
        column === 0 ? text.padStart(widths[0] ?? 0) : text.padEnd(widths[column] ?? 0),
      )
      .join('  ');
  const body = rows.map((row, index) => {
    const mark = marks.get(index);
    return (mark === undefined ? line(row) : `${line(row)}  ← ${mark}`).trimEnd();
  });
  return [
    line(header).trimEnd(),
    ...body,
    '(^ subscribed, ! unsubscribed or released, | completed, # errored, +n granted)',
  ].join('\n');
}
