import { Observable, type SchedulerLike, Subject, type Subscription } from 'rxjs';
import type { HandshakeProvider } from '../../core/HandshakeProvider.js';
import { describeValue, optionalFunction, refuseUnknownKeys } from '../../core/validation.js';
import { HttpStatusError } from '../../errors/HttpStatusError.js';
import { ServiceAtCapacityError } from '../../errors/ServiceAtCapacityError.js';
import { parseRateLimit } from '../../internal/parseRateLimit.js';
import { parseRetryAfter } from '../../internal/parseRetryAfter.js';
import { RateLimitQuota } from '../../internal/RateLimitQuota.js';
import { longestTimer } from '../../internal/retryWait.js';
import { schedulerOption } from '../../internal/schedulerOption.js';
import type { HttpFetch } from '../HttpFetch.js';
import type { HttpServiceOptions } from '../HttpServiceOptions.js';
import { TrackedService } from '../TrackedService.js';

const optionKeys = ['capacity', 'timeout', 'read', 'scheduler', 'monitor'];

function isResponse(value: unknown): value is Response {
  const candidate = value as Partial<Response> | null;
  return (
    typeof candidate === 'object' &&
    candidate !== null &&
    typeof candidate.status === 'number' &&
    typeof candidate.headers?.get === 'function'
  );
}

/**
 * The service {@link httpService} returns: a `TrackedService` whose handler sends the request and
 * reads the answer, and a quota learnt from the answers that holds requests back until its reset.
 * Apart from the public factory so that each file holds one concept.
 */
export class HttpApi<Req, Res> implements HandshakeProvider<Req, Res> {
  readonly credits$: Observable<number>;

  readonly #tracked: TrackedService<Req, Res>;
  readonly #send: HttpFetch<Req>;
  readonly #read: (response: Response) => Res | Promise<Res>;
  readonly #scheduler: SchedulerLike;
  readonly #quota = new RateLimitQuota();
  /** Room granted when the quota resets. */
  readonly #resets = new Subject<number>();
  /** Subscribers of `credits$`: the reset timer runs only while there are some. */
  #listeners = 0;
  #resetTimer: Subscription | undefined;

  constructor(send: HttpFetch<Req>, options: HttpServiceOptions<Res> | Partial<HttpServiceOptions<Res>>) {
    refuseUnknownKeys(options, optionKeys, 'options');
    this.#send = send;
    this.#read = optionalFunction(options.read, 'options.read') ?? ((response) => response as Res);
    this.#scheduler = schedulerOption(options.scheduler, 'options.scheduler');
    this.#tracked = new TrackedService<Req, Res>({
      capacity: options.capacity ?? Number.POSITIVE_INFINITY,
      timeout: options.timeout,
      scheduler: this.#scheduler,
      monitor: options.monitor,
      handler: (req, signal) => this.#request(req, signal),
    });
    this.credits$ = new Observable<number>((subscriber) => {
      this.#listeners++;
      subscriber.add(() => {
        if (--this.#listeners > 0) return;
        this.#resetTimer?.unsubscribe();
        this.#resetTimer = undefined;
      });
      subscriber.add(this.#resets.subscribe((room) => subscriber.next(room)));
      // Room freed while the quota is spent is no use: the reset grants it.
      subscriber.add(
        this.#tracked.credits$.subscribe((room) => {
          if (this.#quotaWait() === 0) subscriber.next(room);
        }),
      );
      this.#armReset();
    });
  }

  get capacity(): number {
    return this.#tracked.capacity;
  }

  get active(): number {
    return this.#tracked.active;
  }

  isReady(): boolean {
    return this.#quotaWait() === 0 && this.#tracked.isReady();
  }

  do(req: Req, signal?: AbortSignal): Promise<Res> {
    const wait = this.#quotaWait();
    if (wait > 0) {
      return Promise.reject(
        new ServiceAtCapacityError(
          { retryAfter: wait },
          `The API's quota is spent until its reset in ${Math.ceil(wait)} ms.`,
        ),
      );
    }
    return this.#tracked.do(req, signal);
  }

  #quotaWait(): number {
    return this.#quota.waitAt(this.#scheduler.now());
  }

  async #request(req: Req, signal: AbortSignal): Promise<Res> {
    this.#quota.spend();
    this.#armReset();
    const response: unknown = await this.#send(req, signal);
    if (!isResponse(response)) {
      throw new TypeError(`The request must resolve with a Response, got ${describeValue(response)}.`);
    }
    const now = this.#scheduler.now();
    const reading = parseRateLimit(response.headers, now);
    if (reading !== undefined) this.#quota.learn(reading, now, this.#tracked.active - 1);
    const { status } = response;
    if (status < 400) {
      this.#armReset();
      return this.#read(response);
    }
    // The body of a refusal is not read: cancel it, so the connection is free for the next request.
    response.body?.cancel().catch(() => undefined);
    const url = response.url || String(req);
    if (status === 429 || status === 503) {
      const retryAfter =
        parseRetryAfter(response.headers.get('retry-after'), now) ??
        (status === 429 ? this.#quota.waitAt(now) || undefined : undefined);
      if (status === 429 && retryAfter !== undefined) this.#quota.exhausted(now, retryAfter);
      this.#armReset();
      throw new ServiceAtCapacityError(
        retryAfter === undefined ? {} : { retryAfter },
        `${url} answered ${status}${retryAfter === undefined ? '' : `; retry after ${retryAfter} ms`}.`,
      );
    }
    throw new HttpStatusError(status, url);
  }

  /** While the quota is spent and someone listens, a timer grants the room when it resets. */
  #armReset(): void {
    if (this.#listeners === 0 || this.#resetTimer !== undefined) return;
    const wait = this.#quotaWait();
    if (wait === 0) return;
    this.#resetTimer = this.#scheduler.schedule(
      () => {
        this.#resetTimer = undefined;
        if (this.#quotaWait() > 0) {
          // An answer moved the reset later while this timer waited.
          this.#armReset();
          return;
        }
        const room = this.#tracked.capacity - this.#tracked.active;
        if (room > 0) this.#resets.next(room);
      },
      Math.min(wait, longestTimer),
    );
  }
}
