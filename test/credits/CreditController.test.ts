import { type TeardownLogic, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { CreditController, isBackpressureError } from '../../src/index.js';
import { type DirectCreditSignal, takeGrants } from '../../src/internal/subscribeCredits.js';

function record(controller: CreditController): {
  grants: number[];
  completed: () => boolean;
  errors: unknown[];
} {
  const grants: number[] = [];
  const errors: unknown[] = [];
  let completed = false;
  controller.credits$.subscribe({
    next: (grant) => grants.push(grant),
    error: (error: unknown) => errors.push(error),
    complete: () => {
      completed = true;
    },
  });
  return { grants, completed: () => completed, errors };
}

describe('CreditController', () => {
  it('hands grants made before the subscription to the first subscriber, as one grant', () => {
    const controller = new CreditController({ initial: 2 });
    controller.grant(3);
    const { grants } = record(controller);
    controller.grant(1);
    expect(grants).toEqual([5, 1]);
  });

  it('emits nothing on subscription when nothing is pending', () => {
    const { grants } = record(new CreditController());
    expect(grants).toEqual([]);
  });

  it('turns a pending total beyond MAX_SAFE_INTEGER into Infinity', () => {
    const controller = new CreditController({ initial: Number.MAX_SAFE_INTEGER });
    controller.grant(1);
    expect(record(controller).grants).toEqual([Number.POSITIVE_INFINITY]);
  });

  it.each([0, -1, 1.5, Number.NaN, Number.MAX_SAFE_INTEGER + 1, Number.NEGATIVE_INFINITY])(
    'refuses grant(%s) with a RangeError that names the value',
    (value) => {
      const controller = new CreditController();
      expect(() => controller.grant(value)).toThrow(RangeError);
      expect(() => controller.grant(value)).toThrow(String(value));
    },
  );

  it('refuses a grant that is not a number with a TypeError naming the value and its type', () => {
    const controller = new CreditController();
    expect(() => controller.grant('3' as unknown as number)).toThrow(TypeError);
    expect(() => controller.grant('3' as unknown as number)).toThrow("'3' (string)");
  });

  it('refuses a bad initial credit when it is constructed', () => {
    expect(() => new CreditController({ initial: -2 })).toThrow(/options\.initial.*-2/);
    expect(() => new CreditController({ initial: Number.POSITIVE_INFINITY })).not.toThrow();
  });

  it('refuses a second concurrent subscriber, so a grant is never spent twice', () => {
    const controller = new CreditController();
    const first = record(controller);
    const second = record(controller);
    controller.grant(1);
    expect(first.grants).toEqual([1]);
    expect(second.grants).toEqual([]);
    expect(second.errors).toHaveLength(1);
    expect(isBackpressureError(second.errors[0]) && second.errors[0].code).toBe('ERR_CREDITS_IN_USE');
  });

  it('takes a new subscriber once the previous one is gone, with only the grants made since', () => {
    const controller = new CreditController();
    const firstGrants: number[] = [];
    const subscription = controller.credits$.subscribe((grant) => firstGrants.push(grant));
    controller.grant(2);
    subscription.unsubscribe();
    controller.grant(3);
    const second = record(controller);
    expect(firstGrants).toEqual([2]);
    expect(second.grants).toEqual([3]);
  });

  it('completes the current subscriber, and later ones after their pending grant', () => {
    const controller = new CreditController({ initial: 1 });
    controller.complete();
    const later = record(controller);
    expect(later.grants).toEqual([1]);
    expect(later.completed()).toBe(true);
    const current = new CreditController();
    const live = record(current);
    current.complete();
    current.complete();
    expect(live.completed()).toBe(true);
  });

  it('refuses grants after complete with a coded error', () => {
    const controller = new CreditController();
    controller.complete();
    expect(() => controller.grant(1)).toThrow(expect.objectContaining({ code: 'ERR_CREDITS_COMPLETED' }));
  });

  it('works as a plain observable with the RxJS operators', async () => {
    const controller = new CreditController({ initial: 4 });
    const all = controller.credits$.pipe(toArray());
    const done = new Promise<number[]>((resolve) => all.subscribe(resolve));
    controller.grant(1);
    controller.complete();
    expect(await done).toEqual([4, 1]);
  });
});

/** Takes the controller's grants directly, as requestCredits and pullFrom do, recording what arrives. */
function takeDirectly(
  controller: CreditController,
  onGrant: (grant: number) => void = () => undefined,
): { grants: number[]; errors: unknown[]; completions: () => number; release: () => void } {
  const grants: number[] = [];
  const errors: unknown[] = [];
  let completions = 0;
  const teardown: TeardownLogic = (controller.credits$ as DirectCreditSignal)[takeGrants]({
    next: (grant) => {
      grants.push(grant);
      onGrant(grant);
    },
    error: (error) => errors.push(error),
    complete: () => {
      completions++;
    },
  });
  return {
    grants,
    errors,
    completions: () => completions,
    release: () => (typeof teardown === 'function' ? teardown() : undefined),
  };
}

const inUse = (error: unknown) => isBackpressureError(error) && error.code === 'ERR_CREDITS_IN_USE';

describe("CreditController's direct channel (used by requestCredits and pullFrom)", () => {
  it('hands the grants kept so far to a direct taker, as one grant, then each grant as it is made', () => {
    const controller = new CreditController({ initial: 2 });
    controller.grant(3);
    const direct = takeDirectly(controller);
    controller.grant(1);
    controller.grant(Number.POSITIVE_INFINITY);
    expect(direct.grants).toEqual([5, 1, Number.POSITIVE_INFINITY]);
  });

  it('checks a grant once, at grant(): a bad one throws at the caller and never reaches the taker', () => {
    const controller = new CreditController();
    const direct = takeDirectly(controller);
    expect(() => controller.grant(0)).toThrow(RangeError);
    expect(direct.grants).toEqual([]);
    expect(direct.errors).toEqual([]);
  });

  it('takes one taker at a time, direct or subscribed, whichever came first', () => {
    const subscribedFirst = new CreditController();
    const subscriber = record(subscribedFirst);
    const refusedDirect = takeDirectly(subscribedFirst);
    subscribedFirst.grant(1);
    expect(subscriber.grants).toEqual([1]);
    expect(refusedDirect.grants).toEqual([]);
    expect(refusedDirect.errors.map(inUse)).toEqual([true]);

    const directFirst = new CreditController({ initial: 1 });
    const direct = takeDirectly(directFirst);
    const secondDirect = takeDirectly(directFirst);
    const refusedSubscriber = record(directFirst);
    directFirst.grant(2);
    expect(direct.grants).toEqual([1, 2]);
    expect(secondDirect.grants).toEqual([]);
    expect(secondDirect.errors.map(inUse)).toEqual([true]);
    expect(refusedSubscriber.grants).toEqual([]);
    expect(refusedSubscriber.errors.map(inUse)).toEqual([true]);
  });

  it('lets go of a direct taker at its teardown, keeping later grants for the next taker', () => {
    const controller = new CreditController();
    const first = takeDirectly(controller);
    controller.grant(2);
    first.release();
    controller.grant(3);
    controller.grant(4);
    const second = takeDirectly(controller);
    expect(first.grants).toEqual([2]);
    expect(second.grants).toEqual([7]);
    first.release();
    controller.grant(1);
    expect(second.grants).toEqual([7, 1]);
  });

  it('completes a direct taker once and lets go of it at once, so a later taker is not refused', () => {
    const controller = new CreditController({ initial: 1 });
    const current = takeDirectly(controller);
    controller.complete();
    controller.complete();
    expect(current.completions()).toBe(1);
    expect(() => controller.grant(1)).toThrow(expect.objectContaining({ code: 'ERR_CREDITS_COMPLETED' }));
    const later = takeDirectly(controller);
    expect(later.errors).toEqual([]);
    expect(later.completions()).toBe(1);
    const subscriber = record(controller);
    expect(subscriber.errors).toEqual([]);
    expect(subscriber.completed()).toBe(true);
  });

  it('hands over what was kept, then completes, when it was completed before the taker came', () => {
    const controller = new CreditController({ initial: 3 });
    controller.complete();
    const direct = takeDirectly(controller);
    expect(direct.grants).toEqual([3]);
    expect(direct.completions()).toBe(1);
  });

  it('completes a taker once when complete() is called inside the next that hands over the kept grants', () => {
    const controller = new CreditController({ initial: 1 });
    const direct = takeDirectly(controller, () => controller.complete());
    expect(direct.grants).toEqual([1]);
    expect(direct.completions()).toBe(1);
    expect(takeDirectly(controller).errors).toEqual([]);
  });
});
