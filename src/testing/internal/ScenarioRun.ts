import { from, Observable, observable as observableSymbol, Subscriber } from 'rxjs';
import type { CreditProvider, DropReason } from 'rxjs-backpressure';
import { BackpressureError, CreditController } from 'rxjs-backpressure';
import { describeValue } from '../../internal/describeValue.js';
import type { FlowContext } from '../FlowContext.js';
import type { FlowEvent } from '../FlowEvent.js';
import { FlowTrace } from '../FlowTrace.js';
import type { FlowScenario, FlowStep } from '../flowScenario.js';
import type { ResolvedOutputRule } from './resolveOutputRule.js';
import { VirtualClock } from './VirtualClock.js';

/** How long virtual time runs on after the last step, so pending timers (a `ttl`, a `delay`) fire. */
const settleHorizon = 1000;

/**
 * How many timer actions may run at one virtual instant before the run is declared a runaway. A timer
 * with no delay that reschedules itself (`interval(0, scheduler)`) never lets virtual time move on, so
 * neither the steps' times nor the horizon can stop it: without a bound the run would hang. No honest
 * pipeline comes near this many at one instant, so reaching it means the run would never settle.
 */
const maxActionsPerInstant = 100_000;

interface OutputHandlers<R> {
  next(value: R, stopped: boolean): void;
  error(error: unknown): void;
  complete(): void;
}

/**
 * The consumer at the end of the pipeline. It overrides `next`/`error`/`complete` themselves rather
 * than `_next` & co., so it records every call, including those a broken pipeline makes after a
 * terminal signal (a plain subscriber would silently ignore them).
 */
class OutputRecorder<R> extends Subscriber<R> {
  readonly #handlers: OutputHandlers<R>;

  constructor(handlers: OutputHandlers<R>) {
    super({ next: () => undefined, error: () => undefined, complete: () => undefined });
    this.#handlers = handlers;
  }

  override next(value: R): void {
    this.#handlers.next(value, this.isStopped);
    super.next(value);
  }

  override error(error: unknown): void {
    this.#handlers.error(error);
    super.error(error);
  }

  override complete(): void {
    this.#handlers.complete();
    super.complete();
  }
}

function toObservable<R>(output: unknown): Observable<R> {
  if (output instanceof Observable) return output as Observable<R>;
  if (typeof output === 'object' && output !== null && observableSymbol in output)
    return from(output as Observable<R>);
  throw new TypeError(
    `build(source, credits, context) must return an Observable, got ${describeValue(output)}.`,
  );
}

/** A finished run: its trace, and what the run threw, if it did (the trace then ends there). */
export interface ScenarioOutcome<T, R> {
  readonly trace: FlowTrace<T, R>;
  readonly thrown: { readonly error: unknown } | undefined;
}

/**
 * One run of a scenario through a pipeline, step by step, recording every event in virtual time. The
 * sync and promise drivers share it; they decide when a step runs and when the run is quiet.
 */
export class ScenarioRun<T, R> {
  readonly source: Observable<T>;
  readonly credits: CreditProvider;
  readonly context: FlowContext<T>;
  readonly #scenario: FlowScenario<T>;
  readonly #events: FlowEvent<T, R>[] = [];
  readonly #quietMoments: number[] = [];
  readonly #timersPending: number[] = [];
  readonly #clock = new VirtualClock();
  readonly #controller: CreditController;
  readonly #sourceSubscribers = new Set<Subscriber<T>>();
  readonly #sourceError = new Error('The scenario source failed (an error step).');
  #sourceEnd: 'complete' | 'error' | undefined;
  readonly #armedGrants: number[] = [];
  #nextArmedGrant = 0;
  #recorder: OutputRecorder<R> | undefined;
  #recording = true;
  #horizon: number | undefined;
  readonly #output: ResolvedOutputRule<T, R>;
  #dropsReported = false;

  constructor(
    scenario: FlowScenario<T>,
    output: ResolvedOutputRule<T, R> = { items: undefined, batchSize: 1 },
  ) {
    this.#scenario = scenario;
    this.#output = output;
    this.#controller = new CreditController({ initial: scenario.initialCredit });
    this.source = new Observable<T>((subscriber) => {
      this.#record({ kind: 'sourceSubscribed' });
      subscriber.add(() => {
        this.#sourceSubscribers.delete(subscriber);
        this.#record({ kind: 'sourceReleased' });
      });
      if (this.#sourceEnd === 'complete') subscriber.complete();
      else if (this.#sourceEnd === 'error') subscriber.error(this.#sourceError);
      else this.#sourceSubscribers.add(subscriber);
    });
    const controllerCredits = this.#controller.credits$;
    this.credits = {
      credits$: new Observable<number>((subscriber) => {
        this.#record({ kind: 'creditsSubscribed' });
        subscriber.add(() => this.#record({ kind: 'creditsReleased' }));
        return controllerCredits.subscribe(subscriber);
      }),
    };
    this.context = this.contextWith({});
  }

  /**
   * The context handed to `build`, with `extra` (the async driver's `promises`). Reading `onDrop`
   * is noted: a pipeline that never did cannot report drops, which the invariants take into account.
   */
  contextWith<E extends object>(extra: E): FlowContext<T> & E {
    const report = (item: T, reason: DropReason): void => this.#record({ kind: 'dropped', item, reason });
    const noteReader = (): void => {
      this.#dropsReported = true;
    };
    return Object.defineProperties(
      { ...extra, scheduler: this.#clock },
      {
        onDrop: {
          enumerable: true,
          get: () => {
            noteReader();
            return report;
          },
        },
      },
    ) as FlowContext<T> & E;
  }

  /** Builds the pipeline with `context` and subscribes to it, at virtual time 0. */
  start<C extends FlowContext<T>>(
    build: (source: Observable<T>, credits: CreditProvider, context: C) => unknown,
    context: C,
  ): void {
    if (this.#scenario.initialCredit > 0) {
      this.#record({ kind: 'granted', credits: this.#scenario.initialCredit, reentrant: false });
    }
    const output = toObservable<R>(build(this.source, this.credits, context));
    const { items } = this.#output;
    this.#recorder = new OutputRecorder<R>({
      next: (value, stopped) => {
        // With an output rule, each source item the value delivers is one delivery.
        if (items === undefined) this.#record({ kind: 'delivered', item: value });
        else for (const item of items(value)) this.#record({ kind: 'delivered', item: item as unknown as R });
        if (!stopped) this.#grantArmed();
      },
      error: (error) => this.#record({ kind: 'errored', error }),
      complete: () => this.#record({ kind: 'completed' }),
    });
    this.#record({ kind: 'subscribed' });
    output.subscribe(this.#recorder);
    this.runDueTimers();
  }

  /** Moves virtual time to the step's time (running the timers due before it), then performs it. */
  perform(step: FlowStep<T>): void {
    this.#advanceTo(step.at);
    switch (step.kind) {
      case 'emit': {
        const subscribers = [...this.#sourceSubscribers];
        // The source is hot: an item emitted while nothing subscribes to it is not received.
        if (subscribers.length > 0) this.#record({ kind: 'received', item: step.item });
        for (const subscriber of subscribers) subscriber.next(step.item);
        break;
      }
      case 'grant':
        this.#record({ kind: 'granted', credits: step.credits, reentrant: false });
        this.#controller.grant(step.credits);
        break;
      case 'grantInNext':
        this.#armedGrants.push(step.credits);
        break;
      case 'complete':
        this.#sourceEnd = 'complete';
        this.#record({ kind: 'sourceCompleted' });
        for (const subscriber of [...this.#sourceSubscribers]) subscriber.complete();
        break;
      case 'error':
        this.#sourceEnd = 'error';
        this.#record({ kind: 'sourceErrored', error: this.#sourceError });
        for (const subscriber of [...this.#sourceSubscribers]) subscriber.error(this.#sourceError);
        break;
      case 'unsubscribe':
        this.#record({ kind: 'unsubscribed' });
        this.#recorder?.unsubscribe();
        break;
    }
    this.runDueTimers();
  }

  /** Runs every virtual timer due at the current time (those scheduled with no delay, say). */
  runDueTimers(): void {
    this.#advanceTo(this.#clock.now());
  }

  /** Notes a quiet moment: nothing left to run now. */
  markQuiet(): void {
    if (this.#quietMoments.at(-1) === this.#events.length) {
      this.#timersPending[this.#timersPending.length - 1] = this.#clock.pending;
      return;
    }
    this.#quietMoments.push(this.#events.length);
    this.#timersPending.push(this.#clock.pending);
  }

  /** Lets virtual time run on until no timer is left within the horizon (see {@link runNextTimer}). */
  runRemainingTimers(): void {
    while (this.runNextTimer()) {}
  }

  /**
   * Runs the timers due at the earliest pending time, `false` when there are none. Only up to a
   * horizon fixed at the first call (`settleHorizon` after it), so a periodic timer cannot keep a run
   * going forever.
   */
  runNextTimer(): boolean {
    this.#horizon ??= this.#clock.now() + settleHorizon;
    const next = this.#clock.nextAt;
    if (next === undefined || next > this.#horizon) return false;
    this.#advanceTo(Math.max(next, this.#clock.now()));
    return true;
  }

  /**
   * Ends the run: stops recording (what happens from now on is not part of the trace), then releases
   * whatever the run left behind, pending timers and the output's subscription. What the run threw
   * comes first; a throw during the release is kept only when the run threw nothing.
   */
  finish(thrown: { readonly error: unknown } | undefined): ScenarioOutcome<T, R> {
    this.#recording = false;
    const trace = new FlowTrace<T, R>(this.#scenario, this.#events, this.#quietMoments, {
      timersPending: this.#timersPending,
      dropsReported: this.#dropsReported,
      batchSize: this.#output.batchSize,
    });
    try {
      this.#clock.cancelAll();
      this.#recorder?.unsubscribe();
    } catch (error) {
      return { trace, thrown: thrown ?? { error } };
    }
    return { trace, thrown };
  }

  /**
   * Runs the timers due by `at`, in order, then sets the clock to `at`, counting the timers run at each
   * instant, so a runaway timer ends the run with an error instead of hanging it.
   */
  #advanceTo(at: number): void {
    const clock = this.#clock;
    let instant = clock.now();
    let actionsAtInstant = 0;
    for (let next = clock.nextAt; next !== undefined && next <= at; next = clock.nextAt) {
      if (next !== instant) {
        instant = next;
        actionsAtInstant = 0;
      }
      if (++actionsAtInstant > maxActionsPerInstant) {
        throw new BackpressureError(
          'ERR_SCENARIO_RUNAWAY',
          `The run never settles: ${maxActionsPerInstant} timer actions ran at virtual time ${instant} and time never moved on (a timer of no delay rescheduling itself, like interval(0)?).`,
        );
      }
      clock.runNext();
    }
    clock.setTime(at);
  }

  #grantArmed(): void {
    const credits = this.#armedGrants[this.#nextArmedGrant];
    if (credits === undefined) return;
    this.#nextArmedGrant += 1;
    this.#record({ kind: 'granted', credits, reentrant: true });
    this.#controller.grant(credits);
  }

  #record(event: DistributiveOmit<FlowEvent<T, R>, 'at'>): void {
    if (this.#recording) this.#events.push({ ...event, at: this.#clock.now() } as FlowEvent<T, R>);
  }
}

type DistributiveOmit<U, K extends PropertyKey> = U extends unknown ? Omit<U, K> : never;
