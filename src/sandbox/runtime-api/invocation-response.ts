import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  ACCEPTED,
  errorTypeOf,
  invalidRequestId,
  invalidStateTransition,
  MAX_RESPONSE_BYTES,
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
  if (!isCurrent(session, requestId)) {
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
  readBody(req, MAX_RESPONSE_BYTES, (body) => {
    if (!isCurrent(session, requestId)) {
      invalidRequestId(res);
      return;
    }
    session.current = undefined;
    let outcome: RuntimeOutcome;
    if (body === undefined) {
      reply(res, 413, {
        errorMessage: `Exceeded maximum allowed payload size (${MAX_RESPONSE_BYTES} bytes).`,
        errorType: 'RequestEntityTooLarge',
      });
      outcome = { kind: 'too-large' };
    } else {
      reply(res, 202, ACCEPTED);
      outcome = kind === 'error' ? errorOutcome(req, body) : responseOutcome(req, body);
    }
    session.hooks.onOutcome(requestId, outcome);
  });
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
 * A streamed response (Lambda-Runtime-Function-Response-Mode: streaming) is buffered here;
 * a mid-stream failure arrives in trailers, the error document base64-encoded (spec §2.4).
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
