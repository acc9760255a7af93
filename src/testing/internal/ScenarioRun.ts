import { from, Observable, observable as observableSymbol } from 'rxjs';
import type { CreditProvider, DropReason } from 'rxjs-backpressure';
import { describeValue } from '../../core/validation.js';
import type { FlowContext } from '../FlowContext.js';
import type { FlowTrace } from '../FlowTrace.js';
import type { FlowScenario, FlowStep } from '../flowScenario.js';
import { advanceClock } from './advanceClock.js';
import { OutputRecorder } from './OutputRecorder.js';
import type { ResolvedOutputRule } from './resolveOutputRule.js';
import { ScenarioCredits } from './ScenarioCredits.js';
import { ScenarioSource } from './ScenarioSource.js';
import { TraceLog } from './TraceLog.js';
import { VirtualClock } from './VirtualClock.js';

/** How long virtual time runs on after the last step, so pending timers (a `ttl`, a `delay`) fire. */
const settleHorizon = 1000;

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
  readonly context: FlowContext<T>;
  readonly #scenario: FlowScenario<T>;
  readonly #output: ResolvedOutputRule<T, R>;
  readonly #clock = new VirtualClock();
  readonly #log = new TraceLog<T, R>(this.#clock);
  readonly #source = new ScenarioSource<T>(this.#log);
  readonly #credits: ScenarioCredits;
  #recorder: OutputRecorder<R> | undefined;
  #horizon: number | undefined;

  constructor(
    scenario: FlowScenario<T>,
    output: ResolvedOutputRule<T, R> = { items: undefined, batchSize: 1 },
  ) {
    this.#scenario = scenario;
    this.#output = output;
    this.#credits = new ScenarioCredits(scenario.initialCredit, this.#log);
    this.context = this.contextWith({});
  }

  /**
   * The context handed to `build`, with `extra` (the async driver's `promises`). Reading `onDrop`
   * is noted: a pipeline that never did cannot report drops, which the invariants take into account.
   */
  contextWith<E extends object>(extra: E): FlowContext<T> & E {
    const log = this.#log;
    const report = (item: T, reason: DropReason): void => log.record({ kind: 'dropped', item, reason });
    return Object.defineProperties(
      { ...extra, scheduler: this.#clock },
      {
        onDrop: {
          enumerable: true,
          get: () => {
            log.noteDropsReported();
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
    const output = toObservable<R>(build(this.#source.observable, this.#credits.provider, context));
    const { items } = this.#output;
    const log = this.#log;
    const credits = this.#credits;
    this.#recorder = new OutputRecorder<R>({
      next: (value, stopped) => {
        // With an output rule, each source item the value delivers is one delivery.
        if (items === undefined) log.record({ kind: 'delivered', item: value });
        else for (const item of items(value)) log.record({ kind: 'delivered', item: item as unknown as R });
        if (!stopped) credits.grantArmed();
      },
      error: (error) => log.record({ kind: 'errored', error }),
      complete: () => log.record({ kind: 'completed' }),
    });
    log.record({ kind: 'subscribed' });
    output.subscribe(this.#recorder);
    this.runDueTimers();
  }

  /** Moves virtual time to the step's time (running the timers due before it), then performs it. */
  perform(step: FlowStep<T>): void {
    advanceClock(this.#clock, step.at);
    switch (step.kind) {
      case 'emit':
        this.#source.emit(step.item);
        break;
      case 'grant':
        this.#credits.grant(step.credits);
        break;
      case 'grantInNext':
        this.#credits.arm(step.credits);
        break;
      case 'complete':
        this.#source.complete();
        break;
      case 'error':
        this.#source.error();
        break;
      case 'unsubscribe':
        this.#log.record({ kind: 'unsubscribed' });
        this.#recorder?.unsubscribe();
        break;
    }
    this.runDueTimers();
  }

  /** Runs every virtual timer due at the current time (those scheduled with no delay, say). */
  runDueTimers(): void {
    advanceClock(this.#clock, this.#clock.now());
  }

  /** Notes a quiet moment: nothing left to run now. */
  markQuiet(): void {
    this.#log.markQuiet(this.#clock.pending);
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
    advanceClock(this.#clock, Math.max(next, this.#clock.now()));
    return true;
  }

  /**
   * Ends the run: stops recording (what happens from now on is not part of the trace), then releases
   * whatever the run left behind, pending timers and the output's subscription. What the run threw
   * comes first; a throw during the release is kept only when the run threw nothing.
   */
  finish(thrown: { readonly error: unknown } | undefined): ScenarioOutcome<T, R> {
    const trace = this.#log.close(this.#scenario, this.#output.batchSize);
    try {
      this.#clock.cancelAll();
      this.#recorder?.unsubscribe();
    } catch (error) {
      return { trace, thrown: thrown ?? { error } };
    }
    return { trace, thrown };
  }
}
