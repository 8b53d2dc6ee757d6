import type { ExitStatus } from './exit-status.js';
import { describeExit } from './exit-status.js';
import type { RuntimeOutcome } from './runtime-api/session.js';
import type { SandboxExit } from './sandbox-process.js';
import type { InvokeResult } from './types.js';

/** How an invocation ended, before logs, durations and memory are added. */
export interface Verdict {
  readonly status: InvokeResult['status'];
  readonly payload: Buffer;
  readonly errorType?: string;
}

/** Why an environment ends while it may still owe an invocation its result. */
export type Termination =
  | { readonly kind: 'timeout' }
  | { readonly kind: 'init-timeout' }
  | { readonly kind: 'exit'; readonly exit: SandboxExit }
  | { readonly kind: 'init-error'; readonly errorType: string; readonly payload: Buffer }
  | { readonly kind: 'entrypoint'; readonly message: string }
  | { readonly kind: 'prepare-failed'; readonly error: unknown }
  | { readonly kind: 'stop' };

/** The verdict for what the runtime posted (/response or /error). */
export function answerVerdict(outcome: RuntimeOutcome): Verdict {
  switch (outcome.kind) {
    case 'response':
      return { status: 'success', payload: outcome.payload };
    case 'error':
      return { status: 'error', payload: outcome.payload, errorType: outcome.errorType };
    case 'too-large':
      return errorDocument(
        'error',
        'Function.ResponseSizeTooLarge',
        `Response payload size exceeded maximum allowed payload size (${outcome.limitBytes} bytes).`,
      );
  }
}

/**
 * The verdict for an invocation whose environment ended under it, with the error documents
 * Lambda returns (spec §1.5 "Invocation", §2.3).
 */
export function terminationVerdict(
  requestId: string,
  reason: Exclude<Termination, { kind: 'prepare-failed' }>,
  exit: SandboxExit | undefined,
  oomKills: number,
  timeoutSeconds: number,
): Verdict {
  const failure = (errorType: string, message: string): Verdict =>
    errorDocument('failure', errorType, `RequestId: ${requestId} Error: ${message}`);
  switch (reason.kind) {
    case 'timeout':
    case 'init-timeout':
      return errorDocument(
        'timeout',
        'Sandbox.Timedout',
        `RequestId: ${requestId} Error: Task timed out after ${timeoutSeconds.toFixed(2)} seconds`,
      );
    case 'init-error':
      return { status: 'failure', errorType: reason.errorType, payload: reason.payload };
    case 'entrypoint':
      return failure('Runtime.InvalidEntrypoint', reason.message);
    case 'exit':
    case 'stop': {
      if (exit?.spawnError !== undefined) {
        return failure('Runtime.InvalidEntrypoint', `fork/exec: ${exit.spawnError.message}`);
      }
      if (oomKills > 0) {
        // How Lambda reports a function killed at its memory limit.
        return failure('Runtime.OutOfMemory', 'Runtime exited with error: signal: killed');
      }
      const status: ExitStatus =
        reason.kind === 'exit' ? reason.exit : { code: null, signal: 'SIGKILL' };
      return failure('Runtime.ExitError', `Runtime exited with error: ${describeExit(status)}`);
    }
  }
}

function errorDocument(
  status: InvokeResult['status'],
  errorType: string,
  errorMessage: string,
): Verdict {
  return { status, errorType, payload: Buffer.from(JSON.stringify({ errorType, errorMessage })) };
}

/** `YYYY/MM/DD/[<version>]<32 hex>`: one log stream per environment, as Lambda names them. */
export function logStreamName(version: string, id: string, now: number): string {
  const date = new Date(now).toISOString().slice(0, 10).replaceAll('-', '/');
  return `${date}/[${version}]${id}`;
}
