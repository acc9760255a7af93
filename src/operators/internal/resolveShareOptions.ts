import { isPositiveCount, knownOptions, numberOption, oneOf } from '../../core/validation.js';
import type { SharePolicy, ShareWithCreditsOptions } from '../ShareWithCreditsOptions.js';

/** The options of one `shareWithCredits`, checked, defaults in. */
export interface ResolvedShareOptions {
  readonly policy: SharePolicy;
  /** How many branches must have room: `quorum` under `'quorum'`, else 1 (unread). */
  readonly quorum: number;
  readonly startAfter: number;
}

const argument = 'shareWithCredits(options)';
const policies: readonly SharePolicy[] = ['slowest', 'fastest', 'quorum'];

/** Checks the options of `shareWithCredits` when it is called, each error naming the option and the value. */
export function resolveShareOptions(options: ShareWithCreditsOptions | undefined): ResolvedShareOptions {
  const given = knownOptions(options, ['policy', 'quorum', 'startAfter'], argument);
  const policy = oneOf(given.policy ?? 'slowest', policies, `${argument}.policy`);
  if (policy !== 'quorum' && given.quorum !== undefined) {
    throw new TypeError(`${argument}.quorum applies only to policy 'quorum', not '${policy}'.`);
  }
  const count = (value: unknown, option: string): number =>
    numberOption(value, `${argument}.${option}`, 'a positive safe integer', isPositiveCount);
  return {
    policy,
    quorum: policy === 'quorum' ? count(given.quorum, 'quorum') : 1,
    startAfter: count(given.startAfter ?? 1, 'startAfter'),
  };
}
