// The public barrel of rxjs-backpressure/testing: fast-check arbitraries and checks for flow control.
// It is the only entry point that loads fast-check (an optional peer dependency).

// Arbitraries
export type { CreditGrantOptions, CreditGrantsOptions } from './CreditGrantsOptions.js';
export { creditGrants } from './creditGrants.js';
export { type FlowScenario, type FlowStep, flowScenario } from './flowScenario.js';
export type { FlowScenarioOptions } from './FlowScenarioOptions.js';

// Running and recording
export type { AsyncFlowContext, FlowContext } from './FlowContext.js';
export type { AsyncPipelineBuilder, PipelineBuilder } from './PipelineBuilder.js';
export { runScenario } from './runScenario.js';
export type { FlowEvent } from './FlowEvent.js';
export type { FlowState } from './FlowState.js';
export { FlowTrace } from './FlowTrace.js';

// The contract
export type { Invariant, InvariantViolation } from './Invariant.js';
export { type InvariantName, invariants } from './invariants.js';
export type { CheckFlowControlOptions } from './CheckFlowControlOptions.js';
export { checkFlowControl } from './checkFlowControl.js';
export type { OutputRule } from './OutputRule.js';
export { checkFlowControlAsync } from './checkFlowControlAsync.js';
export { type FlowControlFailure, FlowControlViolationError } from './FlowControlViolationError.js';
