import type { IncomingMessage, ServerResponse } from 'node:http';
import type { InvokeRequest } from '../types.js';

/** What the runtime answered for one invocation. */
export type RuntimeOutcome =
  | { readonly kind: 'response'; readonly payload: Buffer }
  | { readonly kind: 'error'; readonly payload: Buffer; readonly errorType: string }
  /** The response was over `limitBytes`; the runtime got 413 (spec §2.1). */
  | { readonly kind: 'too-large'; readonly limitBytes: number };

/** What the environment learns from its runtime through the Runtime API. */
export interface RuntimeApiHooks {
  /** The runtime asked for its first event: the init phase is over. */
  onInitDone(): void;
  /** The runtime reported an initialization failure (POST /runtime/init/error). */
  onInitError(errorType: string, payload: Buffer): void;
  /** The runtime is waiting in /next with nothing to do: the moment to freeze it. */
  onParked(): void;
  /** The current invocation got its answer. */
  onOutcome(requestId: string, outcome: RuntimeOutcome): void;
  /** A blank runtime is waiting for its specialization (see specialization.ts). */
  onBlankReady?(): void;
}

/** An invocation handed to the Runtime API, sent on the runtime's next /next. */
export interface Delivery {
  readonly request: InvokeRequest;
  /** Lambda-Runtime-Deadline-Ms, epoch milliseconds. */
  readonly deadlineMs: number;
  sent: boolean;
  /**
   * Its /response or /error has arrived and is being read: a /next pipelined behind it on the
   * same connection is parked, not refused.
   */
  answering: boolean;
}

/** Largest /response or /error body: 6 MB + 100 bytes, as RIE's MaxPayloadSize. */
export const MAX_RESPONSE_BYTES = 6291556;

/**
 * Largest response streamed to a caller: Lambda's 20 MB soft limit for streamed responses
 * (https://docs.aws.amazon.com/lambda/latest/dg/configuration-response-streaming.html).
 */
export const MAX_STREAMED_RESPONSE_BYTES = 20 * 1024 * 1024;

/**
 * The Runtime API's state for one environment, shared by the endpoint handlers:
 * `init` until the first /next, then `ready`; at most one delivery and one parked /next.
 */
export class RuntimeApiSession {
  phase: 'init' | 'ready' = 'init';
  /** A /next request waiting for an invocation. */
  parked: ServerResponse | undefined;
  current: Delivery | undefined;
  /**
   * A blank runtime's wait for its function: `none` until it asks, the waiting request, then
   * `done` once answered (or given up).
   */
  specialization: ServerResponse | 'none' | 'done' = 'none';
  /** Replaced when a blank sandbox is handed to the environment it becomes. */
  hooks: RuntimeApiHooks;
  constructor(hooks: RuntimeApiHooks) {
    this.hooks = hooks;
  }

  /** Answers a /next with the delivery's event and its §2.2 headers (empty ones omitted). */
  send(res: ServerResponse, delivery: Delivery): void {
    const { request } = delivery;
    delivery.sent = true;
    const headers = [
      'Content-Type',
      'application/json',
      'Lambda-Runtime-Aws-Request-Id',
      request.requestId,
      'Lambda-Runtime-Deadline-Ms',
      String(delivery.deadlineMs),
      'Content-Length',
      String(request.payload.length),
    ];
    if (request.invokedFunctionArn !== '') {
      headers.push('Lambda-Runtime-Invoked-Function-Arn', request.invokedFunctionArn);
    }
    if (request.traceId !== '') {
      headers.push('Lambda-Runtime-Trace-Id', request.traceId);
    }
    if (request.clientContext !== undefined && request.clientContext !== '') {
      headers.push('Lambda-Runtime-Client-Context', request.clientContext);
    }
    res.writeHead(200, headers);
    res.end(request.payload);
  }
}

/** Sends one of the Runtime API's own JSON documents. */
export function reply(res: ServerResponse, status: number, body: object): void {
  const text = JSON.stringify(body);
  res.writeHead(status, [
    'Content-Type',
    'application/json',
    'Content-Length',
    String(Buffer.byteLength(text)),
  ]);
  res.end(text);
}

export const ACCEPTED = { status: 'OK' };

/** The Runtime API's error documents (RIE `rapi/model`). */
export function invalidStateTransition(res: ServerResponse, message: string): void {
  reply(res, 403, { errorMessage: message, errorType: 'InvalidStateTransition' });
}

export function invalidRequestId(res: ServerResponse): void {
  reply(res, 400, { errorMessage: 'Invalid request ID', errorType: 'InvalidRequestID' });
}

/**
 * Reads a request body of at most `limit` bytes. Beyond it the rest is read and discarded
 * (so the keep-alive connection stays usable) and `done` gets undefined.
 */
export function readBody(
  req: IncomingMessage,
  limit: number,
  done: (body: Buffer | undefined) => void,
): void {
  const chunks: Buffer[] = [];
  let length = 0;
  req.on('data', (chunk: Buffer) => {
    length += chunk.length;
    if (length <= limit) {
      chunks.push(chunk);
    }
  });
  req.on('end', () => {
    done(length > limit ? undefined : Buffer.concat(chunks, length));
  });
}

/** The error type a runtime reported: the document's own, else the header's. */
export function errorTypeOf(payload: Buffer, header: string | undefined, fallback: string): string {
  try {
    const doc = JSON.parse(payload.toString('utf8')) as { errorType?: unknown };
    if (typeof doc.errorType === 'string' && doc.errorType !== '') {
      return doc.errorType;
    }
  } catch {
    // Not JSON: the header or the fallback names it.
  }
  return header !== undefined && header !== '' ? header : fallback;
}

/**
 * Lambda strips `errorCause` (X-Ray only) from an error document sent as
 * `application/vnd.aws.lambda.error.cause+json` before returning it (spec §2.3).
 */
export function withoutErrorCause(payload: Buffer, contentType: string | undefined): Buffer {
  if (contentType?.startsWith('application/vnd.aws.lambda.error.cause+json') !== true) {
    return payload;
  }
  try {
    const doc = JSON.parse(payload.toString('utf8')) as Record<string, unknown>;
    delete doc.errorCause;
    return Buffer.from(JSON.stringify(doc));
  } catch {
    return payload;
  }
}
