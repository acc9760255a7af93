import { BackpressureError } from '../../errors/BackpressureError.js';

/**
 * The error a second concurrent consumer of a credit provider's `credits$` gets (`owner` names the
 * provider: `'CreditController'`): a grant must never be spent twice, so the providers that hand out
 * spendable credit take one consumer at a time. One message for all of them.
 */
export function creditsInUse(owner: string): BackpressureError {
  return new BackpressureError(
    'ERR_CREDITS_IN_USE',
    `This ${owner} already has a subscriber; a grant is never spent twice, so credits$ takes one subscriber at a time.`,
  );
}
