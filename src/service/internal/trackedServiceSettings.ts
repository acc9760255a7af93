import type { Observable } from 'rxjs';
import { describeValue, knownOptions } from '../../core/validation.js';
import { schedulerOption } from '../../internal/schedulerOption.js';
import { timeoutOption } from '../../internal/timeoutOption.js';
import { monitorOption } from '../../monitor/monitorOption.js';
import type { ProbeBoard } from '../../monitor/ProbeBoard.js';
import type { TrackedServiceOptions } from '../TrackedServiceOptions.js';
import { type CallObserver, observeCalls } from './CallObserver.js';
import { checkCapacity } from './checkCapacity.js';
import type { CallTimeout } from './TrackedCall.js';

/** A `TrackedService`'s options, checked once when it is built. */
export interface TrackedServiceSettings<Req, Res> {
  readonly capacity: number;
  readonly handler: (req: Req, signal: AbortSignal) => Promise<Res> | Observable<Res> | Res;
  readonly timeout: CallTimeout | undefined;
  readonly monitor: ProbeBoard | undefined;
  readonly observer: CallObserver | undefined;
}

/** The options a service built on `TrackedService` may add: its {@link CallObserver}. */
export interface ObservedServiceOptions<Req, Res> extends TrackedServiceOptions<Req, Res> {
  readonly [observeCalls]?: CallObserver | undefined;
}

/**
 * Checks a `TrackedService`'s options, each error naming the option and the value, in the order
 * the options are documented. Apart from the service so that the class holds only what runs calls.
 */
export function trackedServiceSettings<Req, Res>(
  options: ObservedServiceOptions<Req, Res>,
): TrackedServiceSettings<Req, Res> {
  const checked = knownOptions(
    options,
    ['capacity', 'handler', 'monitor', 'timeout', 'scheduler'],
    'options',
  );
  const capacity = checkCapacity(checked.capacity, 'options.capacity');
  const handler = checked.handler;
  if (typeof handler !== 'function') {
    throw new TypeError(`options.handler must be a function, got ${describeValue(handler)}.`);
  }
  const scheduler = schedulerOption(checked.scheduler, 'options.scheduler');
  const timeout =
    checked.timeout === undefined
      ? undefined
      : { ms: timeoutOption(checked.timeout, 'options.timeout'), scheduler };
  const monitor = monitorOption(checked.monitor, 'options.monitor');
  return { capacity, handler, timeout, monitor, observer: checked[observeCalls] };
}
