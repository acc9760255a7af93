import type { CreditAdmission } from '../../internal/CreditAdmission.js';
import type { Gate } from '../../internal/Gate.js';
import type { ResolvedShareOptions } from './resolveShareOptions.js';

/** One subscribed branch of a shared source: its credit, its gate, and whether its credit signal has ended. */
export interface ShareMember<T> {
  readonly admission: CreditAdmission<T>;
  readonly gate: Gate<T>;
  creditEnded: boolean;
}

/** How many more items `member` can take now: its credit not yet matched by items waiting for it. */
function roomOf<T>(member: ShareMember<T>): number {
  return member.admission.outstanding - member.gate.buffered;
}

/** A branch whose credit signal ended with its credit spent will never take another item. */
function paces<T>(member: ShareMember<T>): boolean {
  return !member.creditEnded || roomOf(member) > 0;
}

/** How many pacing branches have at least `room`. */
function haveRoom<T>(members: readonly ShareMember<T>[], room: number): number {
  let count = 0;
  for (const member of members) if (paces(member) && roomOf(member) >= room) count++;
  return count;
}

/**
 * Items the shared source may have in flight at once: the least room among the branches
 * (`'slowest'`), the most (`'fastest'`), or the most that `quorum` branches have (`'quorum'`). A branch
 * whose credit signal ended with its credit spent will never take another item and does not hold the
 * others back.
 */
export function shareDemand<T>(members: readonly ShareMember<T>[], options: ResolvedShareOptions): number {
  let pacing = 0;
  for (const member of members) if (paces(member)) pacing++;
  if (pacing === 0) return 0;
  // How many branches must have room: all (`'slowest'`), one (`'fastest'`), or the quorum.
  const { policy } = options;
  const needed = policy === 'slowest' ? pacing : policy === 'fastest' ? 1 : Math.min(options.quorum, pacing);
  let wanted = Number.NEGATIVE_INFINITY;
  for (const member of members) {
    if (!paces(member)) continue;
    const room = roomOf(member);
    if (needed === pacing) wanted = wanted === Number.NEGATIVE_INFINITY ? room : Math.min(wanted, room);
    else if (room > wanted && (needed === 1 || haveRoom(members, room) >= needed)) wanted = room;
  }
  return wanted;
}
