// A client process for the multi-process tests: sends items `from` to `from + count - 1` to the server
// at `url` through withHandshake over a RemoteService, retrying what meets a 503 as the README shows,
// and reports to its parent over IPC: 'leased' once it holds a lease, then 'done' with its figures.
// Run as `node --import tsx test/http/clients/handshakeClient.ts URL FROM COUNT`.
import { defer, from, lastValueFrom, tap } from 'rxjs';
import { isBackpressureError, retryWithBackoff, withHandshake } from 'rxjs-backpressure';
import { RemoteService } from '../../../src/http/RemoteService.js';

export interface ClientReport {
  readonly kind: 'done';
  readonly delivered: number;
  readonly refused: number;
  readonly milliseconds: number;
  /** CPU time this process spent, user and system. */
  readonly cpuMilliseconds: number;
}

const [url = '', fromArg = '0', countArg = '0'] = process.argv.slice(2);
const first = Number(fromArg);
const count = Number(countArg);
const remote = new RemoteService<number, number>({ url });
const pending = new Set(Array.from({ length: count }, (_, index) => first + index));
let refused = 0;
let delivered = 0;

let told = false;
const leased = remote.credits$.subscribe(() => {
  if (told || remote.share === undefined) return;
  told = true;
  process.send?.({ kind: 'leased' });
});
const started = performance.now();
await lastValueFrom(
  defer(() => from([...pending])).pipe(
    withHandshake(remote, { bufferSize: count }),
    tap((item) => {
      pending.delete(item);
      delivered++;
    }),
    retryWithBackoff({
      initialDelay: 1,
      maxDelay: 50,
      maxAttempts: Number.POSITIVE_INFINITY,
      retryIf: (error: unknown) => {
        if (isBackpressureError(error) && error.code === 'ERR_SERVICE_AT_CAPACITY') refused++;
        return true;
      },
    }),
  ),
  { defaultValue: undefined },
);
const report: ClientReport = {
  kind: 'done',
  delivered,
  refused,
  milliseconds: Math.round(performance.now() - started),
  cpuMilliseconds: Math.round((process.cpuUsage().user + process.cpuUsage().system) / 1000),
};
leased.unsubscribe();
process.send?.(report, () => process.exit(0));
