// The few parts of rsocket-flowable (which ships Flow types only) that the benchmarks use.
declare module 'rsocket-flowable' {
  interface ISubscription {
    request(n: number): void;
    cancel(): void;
  }

  interface ISubscriber<T> {
    onSubscribe(subscription: ISubscription): void;
    onNext(value: T): void;
    onComplete(): void;
    onError(error: Error): void;
  }

  /** A Reactive Streams publisher: `source` receives each subscriber and serves its `request(n)`. */
  class Flowable<T> {
    constructor(source: (subscriber: ISubscriber<T>) => void);
    subscribe(subscriber: Partial<ISubscriber<T>>): void;
  }
}
