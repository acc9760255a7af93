import { defer, isObservable, type Observable } from 'rxjs';
import type { BridgeOptions, BridgeSource } from '../../core/BridgeOptions.js';
import type { ReadinessProvider } from '../../core/ReadinessProvider.js';
import { describeValue, isPositiveCount, numberOption, optionsObject } from '../../core/validation.js';
import { CreditController } from '../../credits/CreditController.js';
import { bridgeHooks } from '../../internal/resolveBufferOptions.js';
import { requestCredits } from '../../operators/requestCredits.js';

/** A pipeline that delivers only what its consumer asked for. */
export interface CreditBridge<T> {
  /** The items: never more than requested; what arrives early waits in the `requestCredits` buffer. */
  readonly output: Observable<T>;
  /** The checked `options.highWaterMark`. */
  readonly highWaterMark: number;
  /** The consumer takes `n` more items (a positive safe integer): the gate lets that many through. */
  request(n: number): void;
  /**
   * Factory form: grants the pipeline `n` more credits (a positive safe integer). Nothing for a plain
   * Observable, which cannot be slowed. Grants made before the subscription are kept for it.
   */
  supply(n: number): void;
}

const defaultHighWaterMark = 16;

/**
 * The consumer takes `n` more items and the pipeline is granted as many: the gate first, so an item
 * the pipeline emits synchronously finds its credit already there.
 */
export function askFor<T>(bridge: CreditBridge<T>, n: number): void {
  bridge.request(n);
  bridge.supply(n);
}

/** `options` carrying, under the internal key, the advice its overflow error adds and a ledger watch. */
function withAdvice<O extends object>(
  options: O,
  advice: string,
  ledger?: (ledger: { readonly received: number }) => void,
): O {
  return { ...options, [bridgeHooks]: { overflowAdvice: advice, watchLedger: ledger } };
}

/**
 * The one door of every bridge (`toAsyncIterable`, `toReadableStream`, `toNodeReadable`): checks the
 * source and the options when the bridge is created, and puts `requestCredits` between the pipeline and
 * the consumer, so holding back is done by the shared gate and its strategies.
 *
 * In the factory form the pipeline receives a provider granted through `supply`; the caller keeps what
 * it supplies within the high-water mark, so a pipeline that honours credit never fills the buffer (whose
 * size defaults to the high-water mark; overflowing it means the pipeline ignored its credits).
 */
export function creditBridge<T>(
  source: BridgeSource<T>,
  options: BridgeOptions<T> | undefined,
  caller: string,
  factoryForm = `${caller}((credits) => pullFrom(producer, credits))`,
): CreditBridge<T> {
  const { highWaterMark: givenHighWaterMark, ...bufferOptions } = optionsObject(options, 'options');
  const highWaterMark = numberOption(
    givenHighWaterMark ?? defaultHighWaterMark,
    'options.highWaterMark',
    'a positive safe integer',
    isPositiveCount,
  );
  const demand = new CreditController();

  if (typeof source === 'function') {
    const upstream = new CreditController();
    const buffered =
      (bufferOptions.strategy ?? 'buffer') === 'buffer' && bufferOptions.bufferSize === undefined;
    // Supplied credit, and the items that reached the gate against it: a pullFrom in the factory asks
    // isReady() before each read, so items a step drops or merges on the way cost nothing.
    let supplied = 0;
    let arrived: { readonly received: number } = { received: 0 };
    const provider: ReadinessProvider = {
      credits$: upstream.credits$,
      isReady: () => arrived.received < supplied,
    };
    const gate = requestCredits(
      demand,
      withAdvice(
        buffered ? { ...bufferOptions, bufferSize: highWaterMark } : bufferOptions,
        `The pipeline ${caller}'s factory built delivered more than its credits asked for: read the producer with pullFrom(producer, credits), and keep a step that makes several items of one within half of options.highWaterMark (or raise it).`,
        (ledger) => {
          arrived = ledger;
        },
      ),
    );
    const pipeline = defer((): Observable<T> => {
      const built: unknown = source(provider);
      if (isObservable(built)) return built as Observable<T>;
      throw new TypeError(
        `${caller}(source): the factory must return an Observable, got ${describeValue(built)}.`,
      );
    });
    return {
      output: pipeline.pipe(gate),
      highWaterMark,
      request: (n) => demand.grant(n),
      supply: (n) => {
        supplied += n;
        upstream.grant(n);
      },
    };
  }

  if (!isObservable(source)) {
    throw new TypeError(
      `${caller}(source): source must be an Observable or a function from a CreditProvider to an Observable, got ${describeValue(source)}.`,
    );
  }
  const advice = `${caller}(source) was given an Observable, which cannot be slowed down, and it produced faster than the consumer took. Pass a factory instead, ${factoryForm}, so the producer is read only as the consumer asks; or choose another options.overflow.`;
  return {
    output: source.pipe(requestCredits(demand, withAdvice(bufferOptions, advice))),
    highWaterMark,
    request: (n) => demand.grant(n),
    supply: () => undefined,
  };
}
