import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  ACCEPTED,
  errorTypeOf,
  invalidStateTransition,
  MAX_RESPONSE_BYTES,
  readBody,
  reply,
  type RuntimeApiSession,
  withoutErrorCause,
} from './session.js';

/**
 * POST /2018-06-01/runtime/init/error: the runtime could not initialize (e.g.
 * Runtime.ImportModuleError). Only allowed before the first /next (spec §2.1).
 */
export function handleInitError(
  session: RuntimeApiSession,
  req: IncomingMessage,
  res: ServerResponse,
): void {
  if (session.phase !== 'init') {
    req.resume();
    invalidStateTransition(res, 'Initialization has already finished');
    return;
  }
  readBody(req, MAX_RESPONSE_BYTES, (body) => {
    if (session.phase !== 'init') {
      invalidStateTransition(res, 'Initialization has already finished');
      return;
    }
    const header = req.headers['lambda-runtime-function-error-type'];
    const payload = withoutErrorCause(body ?? Buffer.alloc(0), req.headers['content-type']);
    reply(res, 202, ACCEPTED);
    session.hooks.onInitError(
      errorTypeOf(payload, typeof header === 'string' ? header : undefined, 'Runtime.Unknown'),
      payload,
    );
  });
}
