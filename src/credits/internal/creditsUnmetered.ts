import { BackpressureError } from '../../errors/BackpressureError.js';

/**
 * The error a consumer of a `RateCredits` gets when the bucket cannot learn what it spends (a plain
 * subscriber of `credits$`, or an operator of another copy of the package) and no meter is there to
 * tell it: beside {@link creditsInUse}, the other refusal of a bucket's consumer, with the fix in it.
 */
export function creditsUnmetered(): BackpressureError {
  return new BackpressureError(
    'ERR_CREDITS_UNMETERED',
    'This RateCredits cannot learn what this consumer spends (a subscriber of credits$, or an operator of another copy of rxjs-backpressure), so it would fill once and then stall: put bucket.meter() right after the stage that spends its credit, as in myStage(bucket.credits$).pipe(bucket.meter()).',
  );
}
