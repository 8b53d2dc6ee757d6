import type { IncomingMessage, ServerResponse } from 'node:http';
import { invalidStateTransition, type RuntimeApiSession } from './session.js';

/**
 * GET /2018-06-01/runtime/invocation/next: the runtime's long poll for its next event.
 * The first call ends the init phase. It is never timed out (spec §2.1). One pipelined behind
 * the current invocation's answer (HTTP/1.1 pipelining) waits like any other.
 */
export function handleNext(
  session: RuntimeApiSession,
  req: IncomingMessage,
  res: ServerResponse,
): void {
  req.resume();
  if (session.parked !== undefined) {
    invalidStateTransition(res, 'A runtime is already waiting for the next invocation');
    return;
  }
  const { current } = session;
  if (current?.sent === true && !current.answering) {
    invalidStateTransition(res, 'The current invocation has not been answered yet');
    return;
  }
  if (session.phase === 'init') {
    session.phase = 'ready';
    session.parked = res;
    session.hooks.onInitDone();
  } else if (current?.sent === false) {
    session.send(res, current);
    return;
  } else {
    session.parked = res;
  }
  if (session.parked === res) {
    watchParked(session, res);
  }
}

/**
 * An invocation's answer that asked (header `Fogbank-Runtime-Next`, sent by Fogbank's Node.js
 * runtime) to be replied to with the next invocation: its reply waits as a /next does, so the
 * runtime gets one reply per invocation instead of a 202 and then its event.
 */
export function parkAnswer(session: RuntimeApiSession, res: ServerResponse): void {
  session.parked = res;
  watchParked(session, res);
}

/** A parked reply is given up when its request goes away; an idle environment may freeze. */
function watchParked(session: RuntimeApiSession, res: ServerResponse): void {
  res.on('close', () => {
    if (session.parked === res) {
      session.parked = undefined;
    }
  });
  if (session.current === undefined) {
    session.hooks.onParked();
  }
}
