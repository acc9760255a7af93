import { toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { CreditController, isBackpressureError } from '../../src/index.js';

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
