// The two contenders that ask for items in batches from inside the consumer: ours, and the Reactive
// Streams peer rsocket-flowable. Shared by requestCredits.bench.ts and the mixed-workload cases.
import type { ISubscription } from 'rsocket-flowable';
import { range } from 'rxjs';
import { CreditController, requestCredits } from '../src/index.js';
import { BatchConsumer } from './BatchConsumer.js';
import { flowableRange } from './flowableRange.js';
import type { Contender } from './harness.js';

/** requestCredits over a range, its consumer granting `batch` more inside `next` each time a batch is spent. */
export function requestCreditsInBatches(items: number, batch: number): Contender {
  return {
    name: `requestCredits, grant(${batch})`,
    run: () => {
      const credits = new CreditController({ initial: batch });
      const consumer = new BatchConsumer(batch, (n) => credits.grant(n));
      range(0, items)
        .pipe(requestCredits(credits))
        .subscribe(() => consumer.next());
      return consumer.count;
    },
  };
}

/** The same over rsocket-flowable: the consumer calls request(`batch`) inside `onNext`. */
export function rsocketFlowableInBatches(items: number, batch: number): Contender {
  return {
    name: `rsocket-flowable, request(${batch})`,
    run: () => {
      let subscription: ISubscription | undefined;
      const consumer = new BatchConsumer(batch, (n) => subscription?.request(n));
      flowableRange(items).subscribe({
        onSubscribe: (given) => {
          subscription = given;
          given.request(batch);
        },
        onNext: () => consumer.next(),
      });
      return consumer.count;
    },
  };
}
