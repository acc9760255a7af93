/** Server answers that say "not now" rather than "never": the server is loading, busy or failing over. */
const transientReplies = ['LOADING', 'BUSY', 'MASTERDOWN', 'TRYAGAIN', 'CLUSTERDOWN', 'READONLY'];

/**
 * Whether trying again may help: failures of the connection (closed or refused, a reconnecting
 * client giving up on a command) and the server's "not now" answers. A `ReplyError` such as
 * `WRONGTYPE` or `NOGROUP`, or a programming error, would come back the same.
 */
export function isTransientRedisError(error: unknown): boolean {
  // A bug (ours or a callback's) is not worth retrying: it would fail the same way again, unseen.
  if (error instanceof TypeError || error instanceof RangeError || error instanceof SyntaxError) return false;
  if (!(error instanceof Error) || error.name !== 'ReplyError') return true;
  return transientReplies.some((prefix) => error.message.startsWith(prefix));
}

/** Whether `error` is the server's answer that a stream or its consumer group does not exist. */
export function isNoGroup(error: unknown): boolean {
  return error instanceof Error && error.message.startsWith('NOGROUP');
}
