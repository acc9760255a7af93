// The public barrel of rxjs-backpressure/testing: fast-check arbitraries and checks for flow control.
// It is the only entry point that loads fast-check (an optional peer dependency).
export {};
