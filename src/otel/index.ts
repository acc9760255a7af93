// The public barrel of rxjs-backpressure/otel: OpenTelemetry metrics for a FlowMonitor. It is the only
// entry point that loads @opentelemetry/api (an optional peer dependency).
export {};
