import { config } from 'rxjs';

/**
 * Reports an error that has nowhere left to go (a callback that threw during teardown, when the output
 * is already closed): to RxJS's `config.onUnhandledError` when set, else thrown asynchronously so the
 * runtime's uncaught-error handling sees it. Never swallowed.
 */
export function reportUnhandledError(error: unknown): void {
  setTimeout(() => {
    if (config.onUnhandledError !== null) {
      config.onUnhandledError(error);
    } else {
      throw error;
    }
  });
}
