import type { Subscriber } from 'rxjs';
import type { CreditBridge } from './creditBridge.js';

/**
 * What `writeTo` does with one kind of writable (`writeToNode`, `writeToWeb`): subscribes `bridge.output`
 * for `subscriber`, asking for an item whenever the writable has room, and settles `subscriber` when
 * the writable has finished or failed.
 */
export type Sink<T> = (bridge: CreditBridge<T>, subscriber: Subscriber<never>) => void;
