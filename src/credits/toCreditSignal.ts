import { from, Observable, type Observer, observable as observableSymbol, type Unsubscribable } from 'rxjs';
import type { CreditSource } from '../core/CreditProvider.js';
import { describeValue } from '../core/validation.js';

type Subscribable = { subscribe(observer: Partial<Observer<number>>): Unsubscribable };

function toObservable(value: unknown): Observable<number> | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  if (value instanceof Observable) return value as Observable<number>;
  if (typeof (value as Record<string | symbol, unknown>)[observableSymbol] === 'function') {
    return from(value as Observable<number>);
  }
  if (typeof (value as { subscribe?: unknown }).subscribe === 'function') {
    const subscribable = value as Subscribable;
    return new Observable<number>((subscriber) => subscribable.subscribe(subscriber));
  }
  return undefined;
}

/**
 * Turns a {@link CreditSource} into the credit signal to subscribe to, telling a provider from a signal
 * by shape, never by `instanceof` alone, so providers and observables from another copy of RxJS (or any
 * `Symbol.observable` interop object) work. Throws a `TypeError` naming `argument` for anything else.
 */
export function toCreditSignal(source: CreditSource, argument: string): Observable<number> {
  if (typeof source === 'object' && source !== null && 'credits$' in source) {
    const signal = toObservable(source.credits$);
    if (signal !== undefined) return signal;
    throw new TypeError(
      `${argument}.credits$ must be an observable of credit grants, got ${describeValue(source.credits$)}.`,
    );
  }
  const signal = toObservable(source);
  if (signal !== undefined) return signal;
  throw new TypeError(
    `${argument} must be a CreditProvider (an object with credits$) or an Observable<number>, got ${describeValue(source)}.`,
  );
}
