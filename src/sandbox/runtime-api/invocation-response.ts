import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ResponseStreamSink } from '../types.js';
import { parkAnswer } from './next.js';
import {
  ACCEPTED,
  errorTypeOf,
  invalidRequestId,
  invalidStateTransition,
  MAX_RESPONSE_BYTES,
  MAX_STREAMED_RESPONSE_BYTES,
  readBody,
  reply,
  type RuntimeApiSession,
  type RuntimeOutcome,
  withoutErrorCause,
} from './session.js';

/**
 * POST /2018-06-01/runtime/invocation/{id}/response and …/{id}/error: the runtime's answer
 * for the invocation it was given (spec §2.1, §2.3). Either settles the invocation.
 */
export function handleInvocationAnswer(
  session: RuntimeApiSession,
  req: IncomingMessage,
  res: ServerResponse,
  requestId: string,
  kind: 'response' | 'error',
): void {
  if (session.phase === 'init') {
    req.resume();
    invalidStateTransition(res, 'The runtime has not asked for an invocation yet');
    return;
  }
  const delivery = session.current;
  if (delivery === undefined || !isCurrent(session, requestId)) {
    req.resume();
    invalidRequestId(res);
    return;
  }
  const mode = req.headers['lambda-runtime-function-response-mode'];
  if (kind === 'response' && typeof mode === 'string' && mode.toLowerCase() !== 'streaming') {
    req.resume();
    reply(res, 400, {
      errorMessage: `Invalid function response mode: ${mode}`,
      errorType: 'InvalidFunctionResponseMode',
    });
    return;
  }
  delivery.answering = true;
  const sink = delivery.request.responseStream;
  if (kind === 'response' && mode !== undefined && sink !== undefined) {
    forwardStream(session, req, res, requestId, sink);
    return;
  }
  readBody(req, MAX_RESPONSE_BYTES, (body) => {
    if (!isCurrent(session, requestId)) {
      invalidRequestId(res);
      return;
    }
    session.current = undefined;
    let outcome: RuntimeOutcome;
    if (body === undefined) {
      outcome = tooLarge(res, MAX_RESPONSE_BYTES);
    } else {
      acceptAnswer(session, req, res);
      outcome = kind === 'error' ? errorOutcome(req, body) : responseOutcome(req, body);
    }
    session.hooks.onOutcome(requestId, outcome);
  });
}

/** 202, or the next invocation when the runtime asked for it (see parkAnswer). */
function acceptAnswer(session: RuntimeApiSession, req: IncomingMessage, res: ServerResponse): void {
  if (req.headers['fogbank-runtime-next'] === '1' && session.parked === undefined) {
    parkAnswer(session, res);
  } else {
    reply(res, 202, ACCEPTED);
  }
}

/**
 * A streamed /response whose invocation has a sink: bytes go to the sink as they arrive, with
 * the sink's backpressure pausing the runtime's upload; the invocation settles when the request
 * ends (spec §2.4). Bytes beyond the streamed-response limit are dropped and the invocation
 * fails with Function.ResponseSizeTooLarge. Once the invocation is no longer current (it timed
 * out), nothing more reaches the sink.
 */
function forwardStream(
  session: RuntimeApiSession,
  req: IncomingMessage,
  res: ServerResponse,
  requestId: string,
  sink: ResponseStreamSink,
): void {
  sink.start(req.headers['content-type'] ?? 'application/octet-stream');
  let length = 0;
  req.on('data', (chunk: Buffer) => {
    const room = MAX_STREAMED_RESPONSE_BYTES - length;
    length += chunk.length;
    if (room <= 0 || !isCurrent(session, requestId)) {
      return;
    }
    // Paused only while the sink is full: a sink with room calls `next` at once.
    const flow = { taken: false, paused: false };
    sink.write(chunk.length > room ? chunk.subarray(0, room) : chunk, () => {
      flow.taken = true;
      if (flow.paused) {
        req.resume();
      }
    });
    if (!flow.taken) {
      flow.paused = true;
      req.pause();
    }
  });
  req.on('end', () => {
    if (!isCurrent(session, requestId)) {
      invalidRequestId(res);
      return;
    }
    session.current = undefined;
    let outcome: RuntimeOutcome;
    if (length > MAX_STREAMED_RESPONSE_BYTES) {
      outcome = tooLarge(res, MAX_STREAMED_RESPONSE_BYTES);
    } else {
      reply(res, 202, ACCEPTED);
      outcome = responseOutcome(req, Buffer.alloc(0));
    }
    session.hooks.onOutcome(requestId, outcome);
  });
}

function tooLarge(res: ServerResponse, limitBytes: number): RuntimeOutcome {
  reply(res, 413, {
    errorMessage: `Exceeded maximum allowed payload size (${limitBytes} bytes).`,
    errorType: 'RequestEntityTooLarge',
  });
  return { kind: 'too-large', limitBytes };
}

function isCurrent(session: RuntimeApiSession, requestId: string): boolean {
  const { current } = session;
  return current?.sent === true && current.request.requestId === requestId;
}

function errorOutcome(req: IncomingMessage, body: Buffer): RuntimeOutcome {
  const header = req.headers['lambda-runtime-function-error-type'];
  return {
    kind: 'error',
    payload: withoutErrorCause(body, req.headers['content-type']),
    errorType: errorTypeOf(body, typeof header === 'string' ? header : undefined, 'Unhandled'),
  };
}

/**
 * A response, buffered or streamed (Lambda-Runtime-Function-Response-Mode: streaming; then
 * `body` holds what was not forwarded to a sink); a mid-stream failure arrives in trailers,
 * the error document base64-encoded (spec §2.4).
 */
function responseOutcome(req: IncomingMessage, body: Buffer): RuntimeOutcome {
  const trailerType = req.trailers['lambda-runtime-function-error-type'];
  if (trailerType === undefined) {
    return { kind: 'response', payload: body };
  }
  const encoded = req.trailers['lambda-runtime-function-error-body'];
  const payload =
    encoded === undefined
      ? Buffer.from(JSON.stringify({ errorType: trailerType, errorMessage: '' }))
      : Buffer.from(encoded, 'base64');
  return { kind: 'error', payload, errorType: trailerType };
}
