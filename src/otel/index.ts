// The public barrel of rxjs-backpressure/otel: OpenTelemetry metrics for a FlowMonitor. It is the only
// entry point that refers to @opentelemetry/api (an optional peer dependency), and only for types.
export { type Instrumentation, instrument } from './instrument.js';
