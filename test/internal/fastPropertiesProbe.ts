// The child process of fastProperties.test.ts, run as
// `node --allow-natives-syntax --expose-gc --import tsx fastPropertiesProbe.ts`: builds every class that
// is made per subscription or per call, the way the library builds it, with a full GC before each
// construction (so nothing of the previous instance, nor its map transitions, survives), and prints
// whether each instance had fast properties, as one JSON line `{ control, classes: { [name]: boolean[] } }`
// (the control is a class over the budget).
import {
  asapScheduler,
  NEVER,
  type Observable,
  type Observer,
  of,
  range,
  Subscriber,
  Subscription,
} from 'rxjs';
import { rateCreditsSettings } from '../../src/credits/internal/rateCreditsSettings.js';
import { TokenBucket } from '../../src/credits/internal/TokenBucket.js';
import {
  AdaptiveService,
  aimdLimit,
  CreditController,
  circuitBreaker,
  httpService,
  rateCredits,
  requestCredits,
  TrackedService,
  toAsyncIterable,
} from '../../src/index.js';
import { AbortListeners } from '../../src/internal/AbortListeners.js';
import { CreditAdmission } from '../../src/internal/CreditAdmission.js';
import { Gate } from '../../src/internal/Gate.js';
import { OrderedResults } from '../../src/internal/OrderedResults.js';
import { PriorityQueue } from '../../src/internal/PriorityQueue.js';
import { RateLimitQuota } from '../../src/internal/RateLimitQuota.js';
import { ReadinessDemand } from '../../src/internal/ReadinessDemand.js';
import { RingBuffer } from '../../src/internal/RingBuffer.js';
import { resolveBufferOptions } from '../../src/internal/resolveBufferOptions.js';
import { SignalPool } from '../../src/internal/SignalPool.js';
import { StallWatch } from '../../src/internal/StallWatch.js';
import { subscribeSafely } from '../../src/internal/subscribeSafely.js';
import { CallRetries } from '../../src/operators/internal/CallRetries.js';
import { HandshakeCall } from '../../src/operators/internal/HandshakeCall.js';
import { HandshakeCalls } from '../../src/operators/internal/HandshakeCalls.js';
import { resolveCallPolicy } from '../../src/operators/internal/resolveCallPolicy.js';
import { RoomBroadcast } from '../../src/service/internal/RoomBroadcast.js';
import { type CallContext, TrackedCall } from '../../src/service/internal/TrackedCall.js';
import { BridgeDemand } from '../../src/sources/internal/BridgeDemand.js';
import { CountedReads } from '../../src/sources/internal/CountedReads.js';

/** `%HasFastProperties`, reachable from TypeScript: natives syntax is only parsed at run time. */
const hasFastProperties = new Function('object', 'return %HasFastProperties(object);') as (
  object: object,
) => boolean;
const gc =
  globalThis.gc ??
  ((): never => {
    throw new Error('Run the probe with --expose-gc.');
  });

const sink: Observer<number> = { next: () => {}, error: () => {}, complete: () => {} };

/** A gate as requestCredits builds one, run through a short flow to its end. */
function gate(options: Parameters<typeof resolveBufferOptions<number>>[0]): Gate<number> {
  const admission = new CreditAdmission<number>(undefined);
  const built = new Gate(resolveBufferOptions(options, 'options', []), admission, sink);
  admission.grant(2);
  for (let item = 0; item < 4; item++) built.offer(item);
  admission.grant(2);
  built.wake();
  built.sourceComplete();
  return built;
}

/** One call as `TrackedService.do` runs it, settled by `answer`. */
function trackedCall(
  timeout: CallContext<number, number>['timeout'],
  answer: Observable<number>,
  signal?: AbortSignal,
): TrackedCall<number, number> {
  const context: CallContext<number, number> = {
    handler: () => answer,
    timeout,
    aborts: new AbortListeners(),
    probe: undefined,
    observer: undefined,
    release: () => {},
  };
  const call = new TrackedCall(
    context,
    1,
    signal,
    () => {},
    () => {},
  );
  call.run(1, signal);
  return call;
}

/** withHandshake's calls of one subscription, with its gate, as the operator builds them, run to their end. */
function handshakeCalls(): HandshakeCalls<number, number> {
  const service = new TrackedService({ capacity: 2, handler: (n: number) => n });
  const options = resolveBufferOptions<number>(undefined, 'options', []);
  const policy = resolveCallPolicy<number>({ retry: { maxAttempts: 2 }, timeout: 1_000 }, options.scheduler);
  const subscriber = new Subscriber<number>();
  const calls = new HandshakeCalls(service, subscriber, options, { key: undefined }, policy);
  for (let item = 0; item < 4; item++) calls.gate.offer(item);
  calls.gate.sourceComplete();
  calls.release();
  subscriber.unsubscribe();
  return calls;
}

/** The record of one call, its fields set as a run with a timeout and a retry sets them. */
function handshakeCall(): HandshakeCall<number> {
  const call = new HandshakeCall(1, 0);
  call.attempt = 2;
  call.previousDelay = 100;
  call.controller = new AbortController();
  call.timer = new Subscription();
  call.inner = new Subscription();
  call.previous = new HandshakeCall(0, 0);
  call.next = new HandshakeCall(2, 0);
  call.phase = 'backoff';
  call.abandon();
  return call;
}

/**
 * The control: a class over the budget, as large as Gate was (16 private fields and the brand), which
 * must turn to dictionary mode here, or the probe no longer finds what it looks for.
 */
class OverBudget {
  #a = 0;
  #b = 0;
  #c = 0;
  #d = 0;
  #e = 0;
  #f = 0;
  #g = 0;
  #h = 0;
  #i = 0;
  #j = 0;
  #k = 0;
  #l = 0;
  #m = 0;
  #n = 0;
  #o = 0;
  #p = 0;

  sum(): number {
    return this.#total();
  }

  #total(): number {
    return (
      this.#a +
      this.#b +
      this.#c +
      this.#d +
      this.#e +
      this.#f +
      this.#g +
      this.#h +
      this.#i +
      this.#j +
      this.#k +
      this.#l +
      this.#m +
      this.#n +
      this.#o +
      this.#p
    );
  }
}

function overBudget(): object {
  const control = new OverBudget();
  control.sum();
  return control;
}

const builders: Record<string, () => object> = {
  Gate: () => gate(undefined),
  'Gate with priority and ttl': () => gate({ priority: (item: number) => item, ttl: 1_000 }),
  CreditAdmission: () => {
    const admission = new CreditAdmission<number>(undefined);
    admission.grant(1);
    admission.admit();
    return admission;
  },
  CreditController: () => {
    const credits = new CreditController({ initial: 1 });
    credits.grant(1);
    return credits;
  },
  RateCredits: () => {
    const bucket = rateCredits({ perSecond: 1_000, burst: 2 });
    range(0, 3).pipe(requestCredits(bucket)).subscribe().unsubscribe();
    bucket.pause();
    return bucket;
  },
  TokenBucket: () => {
    const bucket = new TokenBucket(rateCreditsSettings({ perSecond: 1_000, burst: 2 }), () => {});
    bucket.grantWhole();
    bucket.wakeWhenDue();
    bucket.refund();
    return bucket;
  },
  RingBuffer: () => {
    const queue = new RingBuffer<number>();
    queue.push(1, 0);
    queue.shift();
    return queue;
  },
  PriorityQueue: () => {
    const queue = new PriorityQueue<number>();
    queue.push(1, 0, 1);
    queue.push(2, 0, 2);
    queue.shift();
    return queue;
  },
  OrderedResults: () => {
    const ordered = new OrderedResults<number, number>(() => {});
    const call = ordered.start(1);
    ordered.done(call);
    return ordered;
  },
  HandshakeCalls: handshakeCalls,
  HandshakeCall: handshakeCall,
  CallRetries: () => {
    const options = resolveBufferOptions<number>(undefined, 'options', []);
    const { retry } = resolveCallPolicy<number>({ retry: {} }, options.scheduler);
    const retries = new CallRetries<number>(retry!, { wake: () => {} });
    retries.willRetry(new HandshakeCall(1, 0), new Error('failed'));
    return retries;
  },
  'the upstream subscriber of subscribeSafely': () => {
    const owner = new Subscription();
    const upstream = subscribeSafely(range(0, 3), owner, sink);
    owner.unsubscribe();
    return upstream;
  },
  TrackedService: () => new TrackedService({ capacity: 2, handler: async (n: number) => n }),
  'TrackedService with a timeout': () =>
    new TrackedService({ capacity: 2, timeout: 1_000, handler: async (n: number) => n }),
  RoomBroadcast: () => {
    const room = new RoomBroadcast(() => 2);
    room.credits$.subscribe().unsubscribe();
    room.grant(1);
    return room;
  },
  TrackedCall: () => trackedCall(undefined, of(1)),
  'TrackedCall with a signal and a timeout': () =>
    trackedCall({ ms: 1_000, scheduler: asapScheduler }, of(1), new AbortController().signal),
  httpService: () => httpService(async () => new Response('ok'), { capacity: 2 }),
  RateLimitQuota: () => {
    const quota = new RateLimitQuota();
    quota.spend();
    quota.learn({ remaining: 3, limit: 5, resetAfter: 1_000 }, 0, 1);
    return quota;
  },
  SignalPool: () => {
    const pool = new SignalPool();
    pool.give(pool.take());
    return pool;
  },
  AdaptiveService: () =>
    new AdaptiveService({ algorithm: aimdLimit({ initial: 2 }), handler: async (n: number) => n }),
  AbortListeners: () => {
    const listeners = new AbortListeners();
    const { signal } = new AbortController();
    const onAbort = (): void => {};
    listeners.add(signal, onAbort);
    listeners.delete(signal, onAbort);
    return listeners;
  },
  circuitBreaker: () => {
    const service = new TrackedService({ capacity: 2, handler: async (n: number) => n });
    const breaker = circuitBreaker(service, { failureThreshold: 2, resetTimeout: 10 });
    breaker.state$.subscribe().unsubscribe();
    return breaker;
  },
  ReadinessDemand: () => {
    const owner = new Subscriber<unknown>();
    const demand = new ReadinessDemand({ isReady: () => true, credits$: NEVER }, owner, () => {});
    demand.admit();
    demand.wake();
    owner.unsubscribe();
    return demand;
  },
  StallWatch: () => {
    const watch = new StallWatch(() => undefined);
    watch.check();
    watch.unsubscribe();
    return watch;
  },
  'toAsyncIterable iterator': () => {
    const iterator = toAsyncIterable(of(1, 2, 3, asapScheduler))[Symbol.asyncIterator]();
    void iterator.next();
    void iterator.return?.();
    return iterator;
  },
  BridgeDemand: () => {
    const bridge = { output: NEVER, highWaterMark: 2, request: () => {}, supply: () => {} };
    const demand = new BridgeDemand<number, object>(bridge, () => {});
    demand.askForRoom(2);
    demand.arrived();
    demand.error({}, new Error('held'), false);
    demand.failIfHeld({}, true);
    return demand;
  },
  CountedReads: () => {
    const reads = new CountedReads(new CreditAdmission<number>(undefined));
    reads.admit();
    return reads;
  },
};

/**
 * Builds one instance and tells whether it has fast properties. A function of its own, so no register
 * of the caller's frame keeps the instance alive through the next collection.
 */
function buildOnce(build: () => object): boolean {
  return hasFastProperties(build());
}

function constructRepeatedly(build: () => object, constructions: number): boolean[] {
  const fast: boolean[] = [];
  for (let round = 0; round < constructions; round++) {
    gc();
    fast.push(buildOnce(build));
  }
  return fast;
}

const constructions = Number(process.argv[2] ?? 12);
const classes: Record<string, boolean[]> = {};
for (const [name, build] of Object.entries(builders))
  classes[name] = constructRepeatedly(build, constructions);
const control = constructRepeatedly(overBudget, constructions);
process.stdout.write(`${JSON.stringify({ control, classes })}\n`);
