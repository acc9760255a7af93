import { type DropReason, dropReasons } from '../core/DropReason.js';
import { booleanOption, numberOption, optionsObject } from '../core/validation.js';
import type { AlertRules } from './AlertRules.js';
import type { FlowAlert } from './FlowAlert.js';
import type { FlowSnapshot } from './FlowSnapshot.js';

type RuleName = keyof AlertRules;
const ruleNames: readonly RuleName[] = ['utilizationAbove', 'bufferAbove', 'drops', 'breakerOpen', 'stalled'];

/** A threshold that must hold for a while: when it was first seen holding, and whether it raised. */
interface Sustained {
  readonly ratio: number;
  readonly for: number;
  since: number | undefined;
  raised: boolean;
}

function forOption(value: unknown, argument: string): number {
  return numberOption(
    value,
    argument,
    'a finite number of milliseconds >= 0',
    (ms) => Number.isFinite(ms) && ms >= 0,
  );
}

/** Whether a snapshot shows a stage that has work but no one working: nothing can move it on. */
function isStalled(snapshot: FlowSnapshot): boolean {
  return (
    (snapshot.buffered > 0 || snapshot.sourceOpen === true) &&
    snapshot.outstandingCredit === 0 &&
    (snapshot.inFlight ?? 0) === 0
  );
}

function stallText(snapshot: FlowSnapshot): string {
  const held = [
    ...(snapshot.buffered > 0
      ? [`${snapshot.buffered} ${snapshot.buffered === 1 ? 'item' : 'items'} waiting`]
      : []),
    ...(snapshot.sourceOpen === true ? ['a source not yet ended'] : []),
  ].join(' and ');
  return `${held}, no credit outstanding and nothing in flight`;
}

function thresholdRule(
  value: AlertRules['utilizationAbove'],
  argument: string,
  ratio: { expected: string; accepts: (ratio: number) => boolean },
): Sustained | undefined {
  if (value === undefined) return undefined;
  const rule = optionsObject(value, argument);
  return {
    ratio: numberOption(rule.ratio, `${argument}.ratio`, ratio.expected, ratio.accepts),
    for: forOption(rule.for, `${argument}.for`),
    since: undefined,
    raised: false,
  };
}

function durationRule(value: AlertRules['stalled'], argument: string): Sustained | undefined {
  if (value === undefined) return undefined;
  const rule = optionsObject(value, argument);
  return { ratio: 0, for: forOption(rule.for, `${argument}.for`), since: undefined, raised: false };
}

/** Off when absent; `null` is refused like any other non-boolean, so `??` would not do. */
function flagRule(value: unknown, argument: string): boolean {
  return value === undefined ? false : booleanOption(value, argument);
}

function totalOf(dropped: Readonly<Record<DropReason, number>>): number {
  let total = 0;
  for (const reason of dropReasons) total += dropped[reason];
  return total;
}

/** A ratio for people: two decimals at most. */
function ratioText(ratio: number): string {
  return String(Math.round(ratio * 100) / 100);
}

/**
 * A monitor's {@link AlertRules}, checked when the monitor is created and evaluated at each tick: it
 * remembers which alerts are raised, so each is raised once and cleared once.
 */
export class AlertEvaluator {
  readonly #utilization: Sustained | undefined;
  readonly #buffer: Sustained | undefined;
  readonly #drops: boolean;
  readonly #breakerOpen: boolean;
  readonly #stalled: Sustained | undefined;
  #dropsRaised = false;
  #breakerRaised = false;
  /** The previous tick's time and drop counts, for "drops since the tick before". */
  #lastAt = 0;
  #lastDropped: Readonly<Record<DropReason, number>> | undefined;

  constructor(rules: AlertRules | undefined, argument: string) {
    const given = optionsObject(rules, argument);
    for (const key of Object.keys(given)) {
      if (!(ruleNames as readonly string[]).includes(key)) {
        throw new TypeError(`${argument} has no rule '${key}'; the rules are ${ruleNames.join(', ')}.`);
      }
    }
    this.#utilization = thresholdRule(given.utilizationAbove, `${argument}.utilizationAbove`, {
      expected: 'a finite number >= 0',
      accepts: (ratio) => Number.isFinite(ratio) && ratio >= 0,
    });
    this.#buffer = thresholdRule(given.bufferAbove, `${argument}.bufferAbove`, {
      expected: 'a number >= 0 and below 1 (a buffer is never more than full)',
      accepts: (ratio) => ratio >= 0 && ratio < 1,
    });
    this.#drops = flagRule(given.drops, `${argument}.drops`);
    this.#breakerOpen = flagRule(given.breakerOpen, `${argument}.breakerOpen`);
    this.#stalled = durationRule(given.stalled, `${argument}.stalled`);
  }

  /** The ticks (re)start at `snapshot`: nothing was watched before, so no duration runs from earlier. */
  restart(snapshot: FlowSnapshot): void {
    if (this.#utilization !== undefined) this.#utilization.since = undefined;
    if (this.#buffer !== undefined) this.#buffer.since = undefined;
    if (this.#stalled !== undefined) this.#stalled.since = undefined;
    this.#lastAt = snapshot.at;
    this.#lastDropped = snapshot.dropped;
  }

  /** Evaluates every rule against a tick's snapshot, calling `emit` for each alert raised or cleared. */
  evaluate(snapshot: FlowSnapshot, emit: (alert: FlowAlert) => void): void {
    const { name, at } = snapshot;
    const alert = (rule: RuleName, status: FlowAlert['status'], message: string): void =>
      emit({ name, rule, status, at, message: `${name}: ${message}` });

    const utilization = this.#utilization;
    if (utilization !== undefined) {
      const value = snapshot.utilization;
      const shown = value === undefined ? 'unknown' : ratioText(value);
      this.#sustain(utilization, value !== undefined && value > utilization.ratio, at, (status, held) =>
        alert(
          'utilizationAbove',
          status,
          status === 'raised'
            ? `utilization ${shown} above ${utilization.ratio} for ${held} ms`
            : `utilization ${shown}, no longer above ${utilization.ratio}`,
        ),
      );
    }

    const buffer = this.#buffer;
    if (buffer !== undefined) {
      const { buffered, bufferSize = 0 } = snapshot;
      const shown = `buffer ${buffered} of ${bufferSize}`;
      this.#sustain(buffer, bufferSize > 0 && buffered / bufferSize > buffer.ratio, at, (status, held) =>
        alert(
          'bufferAbove',
          status,
          status === 'raised'
            ? `${shown} above ${buffer.ratio} full for ${held} ms`
            : `${shown}, no longer above ${buffer.ratio} full`,
        ),
      );
    }

    const stalled = this.#stalled;
    if (stalled !== undefined) {
      this.#sustain(stalled, isStalled(snapshot), at, (status, held) =>
        alert(
          'stalled',
          status,
          status === 'raised'
            ? `stalled for ${held} ms: ${stallText(snapshot)}; did a step between the source and the code that grants drop or merge items (filter, bufferCount)? Close the loop with mergeMapWithCredits`
            : 'no longer stalled',
        ),
      );
    }

    const previous = this.#lastDropped ?? snapshot.dropped;
    const since = at - this.#lastAt;
    this.#lastDropped = snapshot.dropped;
    this.#lastAt = at;
    if (this.#drops) {
      const fresh = totalOf(snapshot.dropped) - totalOf(previous);
      if (fresh > 0 && !this.#dropsRaised) {
        this.#dropsRaised = true;
        const byReason = dropReasons
          .filter((reason) => snapshot.dropped[reason] > previous[reason])
          .map((reason) => `${reason} ${snapshot.dropped[reason] - previous[reason]}`)
          .join(', ');
        const items = fresh === 1 ? '1 item' : `${fresh} items`;
        alert('drops', 'raised', `${items} dropped in the last ${since} ms (${byReason})`);
      } else if (fresh === 0 && this.#dropsRaised) {
        this.#dropsRaised = false;
        alert('drops', 'cleared', `no drops for ${since} ms`);
      }
    }

    if (this.#breakerOpen) {
      const open = snapshot.breaker === 'open';
      if (open !== this.#breakerRaised) {
        this.#breakerRaised = open;
        alert(
          'breakerOpen',
          open ? 'raised' : 'cleared',
          `circuit breaker ${snapshot.breaker ?? 'detached'}`,
        );
      }
    }
  }

  #sustain(
    rule: Sustained,
    holds: boolean,
    at: number,
    alert: (status: FlowAlert['status'], held: number) => void,
  ): void {
    if (!holds) {
      rule.since = undefined;
      if (rule.raised) {
        rule.raised = false;
        alert('cleared', 0);
      }
      return;
    }
    rule.since ??= at;
    const held = at - rule.since;
    if (!rule.raised && held >= rule.for) {
      rule.raised = true;
      alert('raised', held);
    }
  }
}
