import { defer, isObservable, Observable, Subscription } from 'rxjs';
import type { BridgeSource } from '../core/BridgeOptions.js';
import type { BufferOptions } from '../core/BufferOptions.js';
import type { CreditSource } from '../core/CreditProvider.js';
import {
  describeValue,
  isPositiveCount,
  numberOption,
  oneOf,
  optionsObject,
  refuseUnknownKeys,
} from '../core/validation.js';
import { CreditController } from '../credits/CreditController.js';
import { toCreditSignal } from '../credits/toCreditSignal.js';
import { CreditAdmission } from '../internal/CreditAdmission.js';
import { Gate } from '../internal/Gate.js';
import { resolveBufferOptions } from '../internal/resolveBufferOptions.js';
import { subscribeCredits } from '../internal/subscribeCredits.js';
import { subscribeSafely } from '../internal/subscribeSafely.js';

/**
 * Whose demand a {@link shareWithCredits} source is read at: `'slowest'` (every branch has room: no
 * branch is ever sent more than it granted), `'fastest'` (the branch with the most room; slower
 * branches apply their own strategy) or `'quorum'` (`quorum` branches have room).
 *
 * @example
 * ```ts
 * import type { SharePolicy } from 'rxjs-backpressure';
 *
 * const policy: SharePolicy = 'fastest'; // the fast consumer sets the pace, slow ones conflate
 * ```
 */
export type SharePolicy = 'slowest' | 'fastest' | 'quorum';

/**
 * Options of {@link shareWithCredits}.
 *
 * @example
 * ```ts
 * import type { ShareWithCreditsOptions } from 'rxjs-backpressure';
 *
 * const options: ShareWithCreditsOptions = { policy: 'quorum', quorum: 2 }; // two of the branches
 * ```
 */
export interface ShareWithCreditsOptions {
  /** Default `'slowest'`. */
  readonly policy?: SharePolicy;
  /** `'quorum'` only, and needed there: how many branches must have room, a positive safe integer. */
  readonly quorum?: number;
  /**
   * How many branches must have joined before the source is subscribed, a positive safe integer
   * (default 1). Once started, the source runs until it ends or every branch has left.
   */
  readonly startAfter?: number;
}

/**
 * A source shared by {@link shareWithCredits}: each {@link SharedWithCredits.branch} is one consumer
 * with its own credits.
 *
 * @example
 * ```ts
 * import { CreditController, pullFrom, type SharedWithCredits, shareWithCredits } from 'rxjs-backpressure';
 *
 * const shared: SharedWithCredits<number> = shareWithCredits((credits) => pullFrom([1, 2, 3], credits));
 * shared.branch(new CreditController({ initial: 3 })).subscribe((n) => console.log(n));
 * ```
 */
export interface SharedWithCredits<T> {
  /**
   * One consumer of the shared source, paced by its own `credits` (a provider or a credit signal):
   * never more items than it granted. Items that reach it without credit (sent at another branch's
   * pace under `'fastest'` or `'quorum'`, from a plain Observable, or requested before it joined)
   * follow its `options` exactly as in `requestCredits`, each drop reported through `onDrop`.
   * Subscribing joins, unsubscribing leaves; bad options throw here.
   */
  branch(credits: CreditSource, options?: BufferOptions<T>): Observable<T>;
  /** How many branches are subscribed now. */
  readonly branches: number;
}

/** One subscribed branch: its credit, its gate, and whether its credit signal has ended. */
interface Member<T> {
  readonly admission: CreditAdmission<T>;
  readonly gate: Gate<T>;
  creditEnded: boolean;
}

/** The shared source while at least one branch is subscribed. */
interface Connection {
  readonly subscription: Subscription;
  /** The source's credits (factory form only). */
  readonly upstream: CreditController | undefined;
  /** Credit granted upstream whose items have not arrived yet. */
  requested: number;
}

const policies: readonly SharePolicy[] = ['slowest', 'fastest', 'quorum'];

/** How many more items `member` can take now: its credit not yet matched by items waiting for it. */
function roomOf<T>(member: Member<T>): number {
  return member.admission.outstanding - member.gate.buffered;
}

class SharedSource<T> implements SharedWithCredits<T> {
  readonly #source: BridgeSource<T>;
  readonly #policy: SharePolicy;
  readonly #quorum: number;
  readonly #startAfter: number;
  /** Replaced, never changed in place, so an emission loops over the members of its own moment. */
  #members: readonly Member<T>[] = [];
  #connection: Connection | undefined;
  /** Items being offered to the branches now: grants made meanwhile are counted once every branch has it. */
  #offering = 0;

  constructor(source: BridgeSource<T>, policy: SharePolicy, quorum: number, startAfter: number) {
    this.#source = source;
    this.#policy = policy;
    this.#quorum = quorum;
    this.#startAfter = startAfter;
  }

  get branches(): number {
    return this.#members.length;
  }

  branch(credits: CreditSource, options?: BufferOptions<T>): Observable<T> {
    const signal = toCreditSignal(credits, 'branch(credits)');
    const resolved = resolveBufferOptions(options, 'branch(options)', []);
    return new Observable<T>((subscriber) => {
      const admission = new CreditAdmission<T>(undefined);
      const gate = new Gate<T>(resolved, admission, subscriber);
      const member: Member<T> = { admission, gate, creditEnded: false };
      subscriber.add(() => {
        gate.release();
        this.#leave(member);
      });
      subscribeCredits(
        signal,
        subscriber,
        {
          next: (grant) => {
            admission.grant(grant);
            gate.wake();
            this.#request();
          },
          error: (error) => gate.fail(error),
          complete: () => {
            member.creditEnded = true;
            gate.admissionEnded();
            this.#request();
          },
        },
        admission,
      );
      if (!gate.closed) this.#join(member);
    });
  }

  #join(member: Member<T>): void {
    this.#members = [...this.#members, member];
    if (this.#connection !== undefined) this.#request();
    else if (this.#members.length >= this.#startAfter) this.#connect();
  }

  #leave(member: Member<T>): void {
    if (!this.#members.includes(member)) return;
    this.#members = this.#members.filter((other) => other !== member);
    if (this.#members.length > 0) {
      this.#request();
      return;
    }
    // The last branch left: let go of the source, as share() does; the next branch starts it afresh.
    const connection = this.#connection;
    this.#connection = undefined;
    connection?.subscription.unsubscribe();
  }

  #connect(): void {
    const source = this.#source;
    const upstream = typeof source === 'function' ? new CreditController() : undefined;
    const connection: Connection = { subscription: new Subscription(), upstream, requested: 0 };
    this.#connection = connection;
    const shared =
      upstream === undefined
        ? (source as Observable<T>)
        : defer(() => {
            const built: unknown = (source as (credits: { credits$: Observable<number> }) => unknown)({
              credits$: upstream.credits$,
            });
            if (isObservable(built)) return built as Observable<T>;
            throw new TypeError(
              `shareWithCredits(source): the factory must return an Observable, got ${describeValue(built)}.`,
            );
          });
    subscribeSafely(shared, connection.subscription, {
      next: (item) => {
        connection.requested--;
        // A branch that grants inside its `next` would otherwise ask for more while a later branch has
        // not yet taken this item, and the source would be read one ahead of it.
        this.#offering++;
        try {
          for (const member of this.#members) member.gate.offer(item);
        } finally {
          this.#offering--;
        }
        this.#request();
      },
      error: (error) => {
        for (const member of this.#end(connection)) member.gate.sourceError(error, true);
      },
      complete: () => {
        for (const member of this.#end(connection)) member.gate.sourceComplete();
      },
    });
    this.#request();
  }

  /** The source ended: its branches finish on their own; a later branch starts the source afresh. */
  #end(connection: Connection): readonly Member<T>[] {
    if (this.#connection !== connection) return [];
    const members = this.#members;
    this.#members = [];
    this.#connection = undefined;
    return members;
  }

  /** Grants the source what the policy's pace allows beyond what it was already granted. */
  #request(): void {
    const connection = this.#connection;
    if (this.#offering > 0) return;
    if (connection?.upstream === undefined || connection.requested === Number.POSITIVE_INFINITY) return;
    const wanted = this.#wanted() - connection.requested;
    if (wanted < 1) return;
    // Counted before the grant: a synchronous source delivers inside it.
    connection.requested += wanted;
    connection.upstream.grant(wanted);
  }

  /**
   * Items the source may have in flight at once: the least room among the branches (`'slowest'`), the
   * most (`'fastest'`), or the most that `quorum` branches have (`'quorum'`). A branch whose credit
   * signal ended with its credit spent will never take another item and does not hold the others back.
   */
  #wanted(): number {
    let pacing = 0;
    for (const member of this.#members) if (this.#paces(member)) pacing++;
    if (pacing === 0) return 0;
    // How many branches must have room: all (`'slowest'`), one (`'fastest'`), or the quorum.
    const needed =
      this.#policy === 'slowest' ? pacing : this.#policy === 'fastest' ? 1 : Math.min(this.#quorum, pacing);
    let wanted = Number.NEGATIVE_INFINITY;
    for (const member of this.#members) {
      if (!this.#paces(member)) continue;
      const room = roomOf(member);
      if (needed === pacing) wanted = wanted === Number.NEGATIVE_INFINITY ? room : Math.min(wanted, room);
      else if (room > wanted && (needed === 1 || this.#haveRoom(room) >= needed)) wanted = room;
    }
    return wanted;
  }

  /** A branch whose credit signal ended with its credit spent will never take another item. */
  #paces(member: Member<T>): boolean {
    return !member.creditEnded || roomOf(member) > 0;
  }

  /** How many pacing branches have at least `room`. */
  #haveRoom(room: number): number {
    let count = 0;
    for (const member of this.#members) if (this.#paces(member) && roomOf(member) >= room) count++;
    return count;
  }
}

/**
 * Multicasts one source to any number of branches, each paced by its own credits, and reads the
 * source at the pace `policy` picks from the branches' demand:
 *
 * - `'slowest'` (default): the source is granted only what every branch has room for, so with a
 *   source that honours credit (the factory form, `(credits) => pullFrom(...)`) no branch is ever sent
 *   more than it granted and the source is read at the slowest branch's pace (Akka's BroadcastHub).
 * - `'fastest'`: the branch with the most room drives the source; items reach slower branches without
 *   credit and follow their own strategy (`'latest'`, `'drop'`, a bounded buffer), drops reported per
 *   branch through its `onDrop`.
 * - `'quorum'`: as soon as `quorum` branches have room (all of them while fewer are subscribed).
 *
 * ```text
 * source (pullFrom):  0 1 2 3 ...
 * fast credits:       3--------1-1-1-
 * slow credits:       1-----1-------1-
 * 'slowest' fast:     0-----1-------2-     the source is read at the slow branch's pace
 * 'fastest' fast:     (012)----3-4-5-
 * 'fastest' slow:     0-----2-------5-     strategy 'latest': 1, 3 and 4 are reported 'replaced'
 * ```
 *
 * - Branches join and leave at any time; a branch leaving frees the others at once. The source is
 *   subscribed when the first branch subscribes (or the `startAfter`-th) and released when the last
 *   one leaves (as `share()` does); a branch receives what is read after it joined; when it completes or errors every branch finishes (after delivering what it holds), and
 *   the next branch starts it afresh.
 * - Over a plain Observable the policy cannot slow the source: every branch applies its strategy.
 * - The source's credit is counted per item in flight: once it was granted `Infinity` (a branch with
 *   unbounded credit set the pace) it stays unbounded.
 * - A branch's credit signal ending with its credit spent takes it out of the pace: it will never take
 *   another item, so it does not stall the others.
 *
 * Throws a `TypeError` or `RangeError` naming the argument for a bad source or options.
 *
 * @example
 * ```ts
 * import { CreditController, pullFrom, shareWithCredits } from 'rxjs-backpressure';
 *
 * function* readings() {
 *   for (let n = 0; n < 1_000; n++) yield n;
 * }
 * const shared = shareWithCredits((credits) => pullFrom(readings(), credits), { policy: 'fastest' });
 * const fast = new CreditController({ initial: Number.POSITIVE_INFINITY });
 * const slow = new CreditController({ initial: 1 });
 * shared.branch(fast).subscribe((n) => console.log('fast', n));
 * shared
 *   .branch(slow, { strategy: 'latest', onDrop: (n, reason) => console.log('slow dropped', n, reason) })
 *   .subscribe((n) => setTimeout(() => slow.grant(1), 10));
 * ```
 */
export function shareWithCredits<T>(
  source: BridgeSource<T>,
  options?: ShareWithCreditsOptions,
): SharedWithCredits<T> {
  if (typeof source !== 'function' && !isObservable(source)) {
    throw new TypeError(
      `shareWithCredits(source): source must be an Observable or a function from a CreditProvider to an Observable, got ${describeValue(source)}.`,
    );
  }
  const given = optionsObject(options, 'shareWithCredits(options)');
  refuseUnknownKeys(given, ['policy', 'quorum', 'startAfter'], 'shareWithCredits(options)');
  const policy = oneOf(given.policy ?? 'slowest', policies, 'shareWithCredits(options).policy');
  if (policy !== 'quorum' && given.quorum !== undefined) {
    throw new TypeError(`shareWithCredits(options).quorum applies only to policy 'quorum', not '${policy}'.`);
  }
  const quorum =
    policy === 'quorum'
      ? numberOption(
          given.quorum,
          'shareWithCredits(options).quorum',
          'a positive safe integer',
          isPositiveCount,
        )
      : 1;
  const startAfter = numberOption(
    given.startAfter ?? 1,
    'shareWithCredits(options).startAfter',
    'a positive safe integer',
    isPositiveCount,
  );
  return new SharedSource(source, policy, quorum, startAfter);
}
