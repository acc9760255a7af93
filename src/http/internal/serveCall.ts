import type { IncomingMessage, ServerResponse } from 'node:http';
import { type Observable, Subscription } from 'rxjs';
import type { HandshakeProvider } from 'rxjs-backpressure';
import { followResult } from '../../internal/followResult.js';
import { isServiceAtCapacity } from '../../internal/isServiceAtCapacity.js';
import type { AnswerHeaders, AnswerWriter } from './AnswerWriter.js';
import { discardBody } from './discardBody.js';
import { httpProtocol } from './httpProtocol.js';
import type { LeaseBook } from './LeaseBook.js';
import { messageOf } from './messageOf.js';
import { onClientGone } from './onClientGone.js';
import { readBody } from './readBody.js';
import type { HandshakeSettings } from './resolveHandshakeOptions.js';

/** What a `POST /do` uses of its handler. */
export interface CallSite<Req, Res> {
  readonly provider: HandshakeProvider<Req, Res>;
  readonly leases: LeaseBook;
  readonly settings: HandshakeSettings<Req, Res>;
  readonly answers: AnswerWriter<Res>;
}

/** The media type of a `Content-Type`, lower case, without its parameters. */
function mediaType(header: string | undefined): string {
  return (header ?? '').split(';', 1)[0]?.trim().toLowerCase() ?? '';
}

/** The one result of `do()`, whether it answered with a Promise or an Observable; `work` stops it. */
function outcomeOf<Res>(result: Promise<Res> | Observable<Res>, work: Subscription): Promise<Res> {
  return new Promise<Res>((resolve, reject) => {
    followResult(result, 'provider.do(req)', 'refused', work, { resolve, reject });
  });
}

/**
 * Serves one `POST /do`. Admission comes first, so a refusal costs no body read; then the body is read
 * and decoded, and the readiness check and the call happen in one tick. Whichever ends the call first
 * — its result, `callTimeout`, the client leaving, a bad body — answers and gives the slot back to the
 * lease book (`finish`); whatever comes after finds the call done and does nothing. A timeout or a
 * client gone aborts the signal the work was given.
 */
export function serveCall<Req, Res>(
  site: CallSite<Req, Res>,
  req: IncomingMessage,
  res: ServerResponse,
  headers: AnswerHeaders,
): void {
  const { provider, leases, settings, answers } = site;
  const lease = req.headers[httpProtocol.leaseHeader];
  // Admission first: a refusal costs no body read (Node drops the unread body after the answer).
  const admission = leases.admit(typeof lease === 'string' ? lease : undefined);
  if (admission === undefined || (admission.kind === 'unleased' && !provider.isReady())) {
    answers.refuse(res, headers, undefined);
    discardBody(req, settings.scheduler);
    return;
  }
  const call = new AbortController();
  const work = new Subscription();
  let done = false;
  /** Ends the call once; `ranWork`: the provider took its slot. False when it was already over. */
  const finish = (ranWork: boolean): boolean => {
    if (done) return false;
    done = true;
    stopWaiting();
    timeout?.unsubscribe();
    work.unsubscribe();
    leases.release(admission, ranWork);
    return true;
  };
  const stopWaiting = onClientGone(req, res, () => {
    if (!finish(started !== undefined)) return;
    call.abort(new Error('The client disconnected before the answer.'));
  });
  let started: number | undefined;
  const { callTimeout, scheduler } = settings;
  const timeout = Number.isFinite(callTimeout)
    ? scheduler.schedule(() => {
        const running = started !== undefined;
        if (!finish(running)) return;
        const error = new DOMException(
          `The call took longer than options.callTimeout (${callTimeout} ms).`,
          'TimeoutError',
        );
        call.abort(error);
        // Before the work started the body was still coming: the request, not the work, was slow.
        if (running) answers.answer(res, headers, 504, { message: error.message });
        else answers.answer(res, { ...headers, connection: 'close' }, 408, { message: error.message });
      }, callTimeout)
    : undefined;
  /** Refuses the call before it ran any work (a bad request). */
  const refuse = (status: number, message: string): void => {
    if (finish(false)) answers.answer(res, headers, status, { message });
  };

  if (mediaType(req.headers['content-type']) !== httpProtocol.jsonType) {
    refuse(415, `POST ${httpProtocol.doPath} takes Content-Type: ${httpProtocol.jsonType}.`);
    discardBody(req, scheduler);
    return;
  }
  /** The body is read: decode it and, if the provider is still ready, run the work. */
  const run = (text: string): void => {
    let parsed: unknown;
    try {
      parsed = text === '' ? undefined : JSON.parse(text);
    } catch (error) {
      refuse(400, `The body is not valid JSON: ${messageOf(error)}`);
      return;
    }
    let request: Req;
    try {
      request = settings.decode(parsed);
    } catch (error) {
      refuse(400, `options.decode refused the body: ${messageOf(error)}`);
      return;
    }
    // The readiness check and the call happen in this one tick, so no other request can take the
    // slot in between.
    if (!provider.isReady()) {
      if (finish(true)) answers.refuse(res, headers, undefined);
      return;
    }
    const begun = performance.now();
    started = begun;
    let outcome: Promise<Res>;
    try {
      outcome = outcomeOf(provider.do(request, call.signal), work);
    } catch (error) {
      outcome = Promise.reject(error);
    }
    leases.started(admission);
    outcome.then(
      (result) => {
        if (!finish(true)) return;
        answers.measure(begun);
        answers.succeed(res, headers, result);
      },
      (error: unknown) => {
        if (!finish(true)) return;
        if (isServiceAtCapacity(error)) {
          // A refusal ran no work: its few microseconds would drag the average call duration down.
          answers.refuse(res, headers, error);
          return;
        }
        answers.measure(begun);
        answers.fail(res, headers, 500, error);
      },
    );
  };
  readBody(req, settings.maxBodyBytes).then(
    (body) => {
      if (done) return;
      if (body.kind === 'aborted') {
        finish(false);
      } else if (body.kind === 'too-large') {
        refuse(413, `The body is larger than the limit of ${settings.maxBodyBytes} bytes.`);
        discardBody(req, scheduler);
      } else {
        run(body.text);
      }
    },
    (error: unknown) => {
      if (finish(false)) answers.fail(res, headers, 500, error);
    },
  );
}
