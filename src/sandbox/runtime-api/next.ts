import type { IncomingMessage, ServerResponse } from 'node:http';
import { invalidStateTransition, type RuntimeApiSession } from './session.js';

/**
 * GET /2018-06-01/runtime/invocation/next: the runtime's long poll for its next event.
 * The first call ends the init phase. It is never timed out (spec §2.1). One pipelined behind
 * the current invocation's answer (as Fogbank's Node.js runtime sends it) waits like any other.
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
  if (session.parked !== res) {
    return;
  }
  // The hook above may already have delivered on this request.
  const connection = req.socket;
  const unpark = (): void => {
    connection.off('close', unpark);
    if (session.parked === res) {
      session.parked = undefined;
      session.releaseAcceptance();
    }
  };
  res.on('close', unpark);
  // A /next pipelined behind a held 202 is not attached to its connection until that 202 is
  // sent, and would not hear the connection close: the connection is watched as well.
  connection.on('close', unpark);
  if (session.current === undefined) {
    session.hooks.onParked();
  }
}
