import { defer, isObservable, Observable, Subscription } from 'rxjs';
import type { BridgeSource } from '../../core/BridgeOptions.js';
import type { BufferOptions } from '../../core/BufferOptions.js';
import type { CreditSource } from '../../core/CreditProvider.js';
import { describeValue } from '../../core/validation.js';
import { CreditController } from '../../credits/CreditController.js';
import { toCreditSignal } from '../../credits/toCreditSignal.js';
import { CreditAdmission } from '../../internal/CreditAdmission.js';
import { Gate } from '../../internal/Gate.js';
import { resolveBufferOptions } from '../../internal/resolveBufferOptions.js';
import { subscribeCredits } from '../../internal/subscribeCredits.js';
import { subscribeSafely } from '../../internal/subscribeSafely.js';
import type { SharedWithCredits } from '../SharedWithCredits.js';
import type { ResolvedShareOptions } from './resolveShareOptions.js';
import { type ShareMember, shareDemand } from './shareDemand.js';

/** The shared source while at least one branch is subscribed. */
interface Connection {
  readonly subscription: Subscription;
  /** The source's credits (factory form only). */
  readonly upstream: CreditController | undefined;
  /** Credit granted upstream whose items have not arrived yet. */
  requested: number;
}

/**
 * What `shareWithCredits` returns: the branches, each a gate of its own over one subscription of the
 * source, which it connects when enough branches joined and lets go of when the last one leaves.
 */
export class SharedSource<T> implements SharedWithCredits<T> {
  readonly #source: BridgeSource<T>;
  readonly #options: ResolvedShareOptions;
  /** Replaced, never changed in place, so an emission loops over the members of its own moment. */
  #members: readonly ShareMember<T>[] = [];
  #connection: Connection | undefined;
  /** Items being offered to the branches now: grants made meanwhile are counted once every branch has it. */
  #offering = 0;

  constructor(source: BridgeSource<T>, options: ResolvedShareOptions) {
    this.#source = source;
    this.#options = options;
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
      const member: ShareMember<T> = { admission, gate, creditEnded: false };
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

  #join(member: ShareMember<T>): void {
    this.#members = [...this.#members, member];
    if (this.#connection !== undefined) this.#request();
    else if (this.#members.length >= this.#options.startAfter) this.#connect();
  }

  #leave(member: ShareMember<T>): void {
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
  #end(connection: Connection): readonly ShareMember<T>[] {
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
    const wanted = shareDemand(this.#members, this.#options) - connection.requested;
    if (wanted < 1) return;
    // Counted before the grant: a synchronous source delivers inside it.
    connection.requested += wanted;
    connection.upstream.grant(wanted);
  }
}
