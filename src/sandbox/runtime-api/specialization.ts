import type { IncomingMessage, ServerResponse } from 'node:http';
import { invalidStateTransition, type RuntimeApiSession } from './session.js';

/**
 * GET /fogbank/specialization: Fogbank's private endpoint, not part of Lambda's Runtime API.
 * A pre-booted blank runtime long-polls it before loading any function; the answer (sent by
 * RuntimeApi.specialize) is the function it becomes. It answers once per environment: the
 * runtime has asked before user code runs, so user code can never reach it.
 */
export function handleSpecialization(
  session: RuntimeApiSession,
  req: IncomingMessage,
  res: ServerResponse,
): void {
  req.resume();
  if (session.phase !== 'init' || session.specialization !== 'none') {
    invalidStateTransition(res, 'This environment is already specialized');
    return;
  }
  session.specialization = res;
  res.on('close', () => {
    if (session.specialization === res) {
      session.specialization = 'done';
    }
  });
  session.hooks.onBlankReady?.();
}
