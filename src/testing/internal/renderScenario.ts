import type { FlowScenario, FlowStep } from '../flowScenario.js';
import { renderValue } from './renderValue.js';

function renderCredits(credits: number): string {
  return credits === Number.POSITIVE_INFINITY ? 'Infinity' : String(credits);
}

function renderStep<T>(step: FlowStep<T>): string {
  switch (step.kind) {
    case 'emit':
      return `emit ${renderValue(step.item)}`;
    case 'grant':
      return `grant ${renderCredits(step.credits)}`;
    case 'grantInNext':
      return `grant ${renderCredits(step.credits)} inside the next delivery's next`;
    case 'complete':
    case 'error':
      return `source ${step.kind === 'complete' ? 'completes' : 'errors'}`;
    case 'unsubscribe':
      return 'unsubscribe the output';
  }
}

/** The scenario as indented lines: the initial credit, then one step a line with its time. */
export function renderScenario<T>(scenario: FlowScenario<T>): string[] {
  const width = Math.max(1, ...scenario.steps.map((step) => String(step.at).length));
  return [
    `credit before subscribing: ${renderCredits(scenario.initialCredit)}`,
    ...scenario.steps.map((step) => `at ${String(step.at).padStart(width)}  ${renderStep(step)}`),
  ];
}
