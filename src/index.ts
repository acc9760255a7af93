// The one public barrel of rxjs-backpressure: every public name is listed here, on purpose.

// Errors
export { BackpressureError, isBackpressureError } from './errors/BackpressureError.js';
export { BufferOverflowError } from './errors/BufferOverflowError.js';
export { CreditsExhaustedError } from './errors/CreditsExhaustedError.js';
export { type ServiceAtCapacityDetails, ServiceAtCapacityError } from './errors/ServiceAtCapacityError.js';

// Credits
export { CreditController, type CreditControllerOptions } from './credits/CreditController.js';
export type { CreditProvider, CreditSource } from './credits/CreditProvider.js';

// Operators
export { requestCredits } from './operators/requestCredits.js';
export type { BackpressureStrategy, BufferOptions, OverflowPolicy } from './operators/BufferOptions.js';
export type { DropReason } from './operators/DropReason.js';
export type { RequestCreditsOptions } from './operators/RequestCreditsOptions.js';
export { withHandshake } from './operators/withHandshake.js';
export type { WithHandshakeOptions } from './operators/WithHandshakeOptions.js';

// Services and the handshake
export type { HandshakeProvider } from './service/HandshakeProvider.js';
export type { Service } from './service/Service.js';
