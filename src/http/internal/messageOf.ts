import { describeValue } from '../../core/validation.js';

/**
 * The message an error answer carries for `error`: its own `message`, a thrown string as it is, or a
 * description of whatever else was thrown, so a client never reads `[object Object]`.
 */
export function messageOf(error: unknown): string {
  const message = (error as { message?: unknown } | null)?.message;
  if (typeof message === 'string') return message;
  return typeof error === 'string' ? error : `The service failed with ${describeValue(error)}.`;
}
