import fc from 'fast-check';
import { config, Observable, Subject, VirtualTimeScheduler } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import type { Lease, LeaseChannel } from '../../../src/http/internal/Lease.js';
import { LeaseBook } from '../../../src/http/internal/LeaseBook.js';
import type { LeaseAdmission } from '../../../src/http/internal/LeasePool.js';

const capacity = 5;
const revokeAfter = 1_000;

/** A provider of capacity 5 as the book sees it: room on subscription, then a grant per freed slot. */
class World {
  readonly scheduler = new VirtualTimeScheduler();
  readonly grants = new Subject<number>();
  active = 0;
  readonly book = new LeaseBook(
    new Observable<number>((subscriber) => {
      subscriber.next(capacity - this.active);
      return this.grants.subscribe(subscriber);
    }),
    { load: () => ({ capacity, active: this.active }), scheduler: this.scheduler, revokeAfter },
  );
  /** Open leases, with the credit each client believes it has from the events it heard. */
  readonly clients: { lease: Lease; believed: number; ended: boolean }[] = [];
  /** Calls the provider runs, admitted by the book, and called on the provider directly. */
  readonly running: LeaseAdmission[] = [];
  local = 0;

  open(): void {
    const client = { lease: undefined as unknown as Lease, believed: 0, ended: false };
    const channel: LeaseChannel = {
      send: (event, value) => {
        if (event === 'credit') client.believed += value;
        else if (event === 'revoke') client.believed = Math.max(0, client.believed - value);
      },
      end: () => {
        client.ended = true;
      },
    };
    const lease = this.book.open(channel);
    if (lease === undefined) throw new Error('the lease did not open');
    client.lease = lease;
    client.believed = lease.credit;
    this.clients.push(client);
  }

  check(): void {
    const leases = this.clients.map((client) => client.lease);
    const leased = leases.reduce((total, lease) => total + lease.credit, 0);
    // Never more leased or free than the provider truly has free. Calls made on the provider directly
    // may take slots already leased (the provider knows nothing of leases): meanwhile nothing more is
    // granted, and once they settle the promise holds again.
    const free = this.book.free ?? 0;
    expect(free).toBeLessThanOrEqual(Math.max(0, capacity - this.active - leased));
    if (this.local === 0) expect(leased + free).toBeLessThanOrEqual(capacity - this.active);
    for (const client of this.clients) {
      expect(client.lease.credit).toBeGreaterThanOrEqual(0);
      // Calls go straight to the server here, so what each client believes is exact.
      expect(client.believed).toBe(client.lease.credit);
    }
    // Room stays unleased only while no lease is below its share.
    if ((this.book.free ?? 0) > 0) {
      for (const lease of leases) expect(lease.holding).toBeGreaterThanOrEqual(lease.share);
    }
    if (leases.length > 0) {
      for (const lease of leases) expect(lease.share).toBe(capacity / leases.length);
    }
  }
}

type Command = fc.AsyncCommand<object, World> | fc.Command<object, World>;

const commands: fc.Arbitrary<Command>[] = [
  fc.constant<Command>({
    check: () => true,
    run: (_model, world) => {
      world.open();
      world.check();
    },
    toString: () => 'open',
  }),
  fc.nat().map<Command>((index) => ({
    check: () => true,
    run: (_model, world) => {
      const client = world.clients.splice(index % Math.max(1, world.clients.length), 1)[0];
      if (client !== undefined) world.book.close(client.lease);
      world.check();
    },
    toString: () => `close(${index})`,
  })),
  fc.tuple(fc.nat(), fc.boolean(), fc.boolean()).map<Command>(([index, leased, badBody]) => ({
    check: () => true,
    run: (_model, world) => {
      const client = leased ? world.clients[index % Math.max(1, world.clients.length)] : undefined;
      if (client !== undefined) client.believed = Math.max(0, client.believed - 1);
      const admission = world.book.admit(client?.lease.id);
      if (admission === undefined) {
        world.check();
        return;
      }
      if (badBody) {
        world.book.release(admission, false);
      } else if (world.active < capacity) {
        world.active++;
        world.book.started(admission);
        world.running.push(admission);
      } else {
        world.book.release(admission, true);
      }
      world.check();
    },
    toString: () => `admit(${leased ? index : 'no lease'}${badBody ? ', bad body' : ''})`,
  })),
  fc.nat().map<Command>((index) => ({
    check: (_model) => true,
    run: (_model, world) => {
      const admission = world.running.splice(index % Math.max(1, world.running.length), 1)[0];
      if (admission === undefined) return;
      // As TrackedService does: the freed slot is granted first, the caller hears of the result after.
      world.active--;
      world.grants.next(1);
      world.book.release(admission, true);
      world.check();
    },
    toString: () => `settle(${index})`,
  })),
  fc.boolean().map<Command>((settle) => ({
    check: () => true,
    run: (_model, world) => {
      if (settle && world.local > 0) {
        world.local--;
        world.active--;
        world.grants.next(1);
      } else if (!settle && world.active < capacity) {
        world.local++;
        world.active++;
      }
      world.check();
    },
    toString: () => (settle ? 'a direct call settles' : 'a direct call on the provider'),
  })),
  fc.constant<Command>({
    check: () => true,
    run: (_model, world) => {
      world.scheduler.flush();
      world.check();
    },
    toString: () => `wait ${revokeAfter} ms`,
  }),
];

describe('LeaseBook', () => {
  it('never leases more than is free (calls made on the provider directly included), keeps each client exact, and hands out every free slot to a lease below its share (commands)', () => {
    fc.assert(
      fc.property(fc.commands(commands, { maxCommands: 60 }), (sequence) => {
        fc.modelRun(
          () => ({ model: {}, real: new World() }),
          sequence as Iterable<fc.Command<object, World>>,
        );
      }),
      { numRuns: 300 },
    );
  });

  it('gives a newcomer the slots a busy lease frees above its share, and takes idle credit back only after revokeAfter', () => {
    const world = new World();
    world.open();
    const [first] = world.clients;
    // The first client runs 3 calls and keeps 2 credits.
    for (let n = 0; n < 3; n++) {
      const admission = world.book.admit(first!.lease.id)!;
      first!.believed--;
      world.active++;
      world.book.started(admission);
      world.running.push(admission);
    }
    world.open();
    const second = world.clients[1]!;
    expect(second.lease.share).toBe(2.5);
    expect(second.lease.credit).toBe(0);
    // A call of the first frees: its slot goes to the newcomer.
    world.active--;
    world.grants.next(1);
    world.book.release(world.running.shift()!, true);
    expect(second.lease.credit).toBe(1);
    expect(first!.lease.credit).toBe(2);
    world.check();
    world.scheduler.flush();
    // After revokeAfter: the first holds 2 running + 2 credit against a share of 2.5: one credit goes.
    expect(first!.lease.credit).toBe(1);
    expect(second.lease.credit).toBe(2);
    world.check();
  });

  it('gives the credit of a lease that closes to the others at once', () => {
    const world = new World();
    world.open();
    world.open();
    world.scheduler.flush();
    const [first, second] = world.clients;
    expect(first!.lease.credit + second!.lease.credit).toBe(capacity);
    world.book.close(second!.lease);
    world.clients.pop();
    expect(first!.lease.credit).toBe(capacity);
    world.check();
  });

  describe("when the provider's credits$ fails or ends", () => {
    const reported: unknown[] = [];
    afterEach(() => {
      config.onUnhandledError = null;
      reported.length = 0;
    });

    /** A book over `credits`, with one client whose stream may end. */
    function leasing(credits: Observable<number>) {
      config.onUnhandledError = (error) => reported.push(error);
      const book = new LeaseBook(credits, {
        load: () => ({ capacity, active: 0 }),
        scheduler: new VirtualTimeScheduler(),
        revokeAfter,
      });
      const ended: boolean[] = [];
      const channel = (): LeaseChannel => {
        const at = ended.push(false) - 1;
        return { send: () => {}, end: () => (ended[at] = true) };
      };
      return { book, ended, channel };
    }

    /** Credits as a provider grants them: the whole capacity at once, then `grants`. */
    const roomThen = (grants: Subject<number>): Observable<number> =>
      new Observable<number>((subscriber) => {
        subscriber.next(capacity);
        return grants.subscribe(subscriber);
      });

    const waitForReports = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

    it('ends every lease, goes back to admitting by the provider alone, and reports a grant that is not a count', async () => {
      const grants = new Subject<number>();
      const { book, ended, channel } = leasing(roomThen(grants));
      const lease = book.open(channel());
      expect(lease).toBeDefined();
      expect(book.get(lease?.id ?? '')).toBe(lease);
      grants.next(-1);
      expect(ended).toEqual([true]);
      expect(book.size).toBe(0);
      expect(book.get(lease?.id ?? '')).toBeUndefined();
      expect(book.admit(lease?.id)).toEqual({ kind: 'unleased' });
      await waitForReports();
      expect(reported).toHaveLength(1);
      expect(String(reported[0])).toContain('credits$ must grant non-negative integers or Infinity, got -1');
    });

    it('ends every lease when credits$ completes, reporting nothing, so clients reconnect to ask again', async () => {
      const grants = new Subject<number>();
      const { book, ended, channel } = leasing(roomThen(grants));
      book.open(channel());
      book.open(channel());
      grants.complete();
      expect(ended).toEqual([true, true]);
      expect(book.free).toBeUndefined();
      await waitForReports();
      expect(reported).toEqual([]);
    });

    it('opens no lease on a credits$ that fails at once, and reports its error', async () => {
      const broken = new Error('no credits');
      const { book, ended, channel } = leasing(
        new Observable<number>((subscriber) => subscriber.error(broken)),
      );
      expect(book.open(channel())).toBeUndefined();
      expect(ended).toEqual([false]);
      expect(book.size).toBe(0);
      await waitForReports();
      expect(reported).toEqual([broken]);
    });
  });
});
