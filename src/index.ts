// The one public barrel of rxjs-backpressure: every public name is listed here, on purpose.

// Errors
export { BackpressureError, isBackpressureError } from './errors/BackpressureError.js';
export { BufferOverflowError } from './errors/BufferOverflowError.js';
export { CallTimeoutError } from './errors/CallTimeoutError.js';
export { type CircuitOpenDetails, CircuitOpenError } from './errors/CircuitOpenError.js';
export { CreditsExhaustedError } from './errors/CreditsExhaustedError.js';
export { HttpStatusError } from './errors/HttpStatusError.js';
export { type ServiceAtCapacityDetails, ServiceAtCapacityError } from './errors/ServiceAtCapacityError.js';

// Credits
export { CreditController, type CreditControllerOptions } from './credits/CreditController.js';
export type { CreditProvider, CreditSource } from './core/CreditProvider.js';
export type { ReadinessProvider } from './core/ReadinessProvider.js';
export { RateCredits, rateCredits } from './credits/rateCredits.js';
export type { RateCreditsOptions } from './credits/RateCreditsOptions.js';

// Operators
export { requestCredits } from './operators/requestCredits.js';
export type { BackpressureStrategy, BufferOptions, OverflowPolicy } from './core/BufferOptions.js';
export type { DropReason } from './core/DropReason.js';
export type { RequestCreditsOptions } from './operators/RequestCreditsOptions.js';
export type { BackoffJitter } from './internal/backoffDelay.js';
export type { RetryWithBackoffOptions } from './operators/RetryWithBackoffOptions.js';
export { retryWithBackoff } from './operators/retryWithBackoff.js';
export type { SharedWithCredits } from './operators/SharedWithCredits.js';
export { shareWithCredits } from './operators/shareWithCredits.js';
export type { SharePolicy, ShareWithCreditsOptions } from './operators/ShareWithCreditsOptions.js';
export { withHandshake } from './operators/withHandshake.js';
export type { CallRetryOptions, WithHandshakeOptions } from './operators/WithHandshakeOptions.js';
export type { CreditStage } from './operators/CreditStage.js';
export { mergeMapWithCredits } from './operators/mergeMapWithCredits.js';
export type { MergeMapWithCreditsOptions } from './operators/MergeMapWithCreditsOptions.js';

// Services and the handshake
export { type CircuitBreaker, circuitBreaker } from './service/circuitBreaker.js';
export type { CircuitBreakerOptions } from './service/CircuitBreakerOptions.js';
export type { CircuitState } from './core/CircuitState.js';
export type { HandshakeProvider } from './core/HandshakeProvider.js';
export type { Service } from './core/Service.js';
export { handshake } from './service/handshake.js';
export { TrackedService } from './service/TrackedService.js';
export type { TrackedServiceOptions } from './service/TrackedServiceOptions.js';
export type { HttpFetch } from './service/HttpFetch.js';
export { type HttpService, httpService } from './service/httpService.js';
export type { HttpServiceOptions } from './service/HttpServiceOptions.js';
export { AdaptiveService, type AdaptiveServiceOptions } from './service/AdaptiveService.js';
export type { LimitAlgorithm, LimitSample } from './service/LimitAlgorithm.js';
export { type AimdLimitOptions, aimdLimit } from './service/aimdLimit.js';
export { type GradientLimitOptions, gradientLimit } from './service/gradientLimit.js';
export { type VegasLimitOptions, vegasLimit } from './service/vegasLimit.js';

// Monitoring
export { FlowMonitor, type FlowMonitorOptions } from './monitor/FlowMonitor.js';
export type { FlowSnapshot } from './monitor/FlowSnapshot.js';
export type { FlowAlert } from './monitor/FlowAlert.js';
export type { AlertRules } from './monitor/AlertRules.js';

// Sources
export type { BridgeOptions, BridgeSource } from './core/BridgeOptions.js';
export { type PullSource, pullFrom } from './sources/pullFrom.js';
export type { PullFromOptions } from './sources/PullFromOptions.js';
export { toAsyncIterable } from './sources/toAsyncIterable.js';
export { toNodeReadable } from './sources/toNodeReadable.js';
export type { NodeObjectReadable } from './sources/NodeObjectReadable.js';
export type { NodeReadableLike } from './sources/NodeReadableLike.js';
export type { NodeWritableLike } from './sources/NodeWritableLike.js';
export { toReadableStream } from './sources/toReadableStream.js';
export { writeTo } from './sources/writeTo.js';
