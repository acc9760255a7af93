import type { ListenerTarget } from './listenTo.js';

/**
 * What every Node.js stream the package touches offers, readable or writable: its events, `destroy()`
 * on teardown, and whether it is destroyed already. The common base of the public `NodeReadableLike`
 * and `NodeWritableLike`, and all that `tieToNodeStream` needs of either. Not exported from the
 * package: its declarations show it only as that base.
 */
export interface NodeStreamLike extends ListenerTarget {
  destroy?(): unknown;
  readonly destroyed?: boolean;
}
