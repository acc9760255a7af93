// The few parts of RxJS 4 (package `rx`, which ships no typings it declares) that the benchmarks use.
declare module 'rx' {
  interface Disposable {
    dispose(): void;
  }

  interface Scheduler {
    schedule<S>(state: S, action: (scheduler: Scheduler, state: S) => Disposable | undefined): Disposable;
  }

  interface Observable<T> {
    /** Holds items back until `request(n)` asks for them (a queue when they arrive before). */
    controlled(): ControlledObservable<T>;
    subscribe(
      onNext: (value: T) => void,
      onError?: (error: unknown) => void,
      onCompleted?: () => void,
    ): Disposable;
  }

  interface ControlledObservable<T> extends Observable<T> {
    request(count: number): Disposable;
  }

  interface RxStatic {
    readonly Observable: { range(start: number, count: number): Observable<number> };
    readonly Scheduler: { readonly currentThread: Scheduler };
  }

  const Rx: RxStatic;
  export = Rx;
}
