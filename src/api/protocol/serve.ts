/**
 * One request from arrival to response: route, read the body under its limit, verify the
 * signature (when a verifier is plugged in), run the operation and write its reply, or render
 * whatever it threw in AWS's error format.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { Readable } from 'node:stream';
import { ServiceError, serviceException } from '../../core/errors.js';
import { newRequestId } from '../../core/ids.js';
import {
  ApiRequest,
  BodyTooLargeError,
  parseJsonBody,
  pathSegments,
  readBody,
  splitTarget,
  type BodyLimit,
} from './request.js';
import { errorReply, writeReply, type Reply } from './response.js';
import type { ApiServices } from './route.js';
import type { Router } from './router.js';
import {
  parseCredentialScope,
  type CredentialScope,
  type RequestContext,
  type VerifySignature,
} from './sigv4.js';

/** What `onRequest` learns about each request once its response has been written. */
export interface ApiRequestRecord {
  readonly requestId: string;
  /** The AWS operation name; undefined when no route matched. */
  readonly operation: string | undefined;
  readonly method: string;
  /** The path as sent (still percent-encoded), without the query. */
  readonly path: string;
  readonly statusCode: number;
  readonly durationMs: number;
  readonly credential: CredentialScope | undefined;
  /**
   * An exception that was not a ServiceError. The client only saw a 500 ServiceException, so this
   * is the one place its details surface (for the operator's log).
   */
  readonly unexpectedError?: unknown;
}

export interface ServeOptions {
  readonly router: Router;
  readonly services: ApiServices;
  readonly verifySignature?: VerifySignature;
  /** Called after each response is written; must not throw. */
  readonly onRequest?: (record: ApiRequestRecord) => void;
}

/**
 * Generous for control-plane bodies (none legitimately comes close), small enough that a runaway
 * client cannot make the server buffer much.
 */
const DEFAULT_BODY_BYTES = 6_291_456;
const EMPTY = Buffer.alloc(0);
/** How long the rest of an oversized body is read and dropped before the connection is cut. */
const DISCARD_WINDOW_MS = 5_000;

function unknownOperation(method: string, rawPath: string): ServiceError {
  return new ServiceError(
    'UnknownOperationException',
    404,
    `Unknown operation: no Lambda operation matches ${method} ${rawPath}`,
  );
}

/** The `(req, res)` listener for an http.Server. */
export function createServe(
  options: ServeOptions,
): (req: IncomingMessage, res: ServerResponse) => void {
  const { router, services, verifySignature, onRequest } = options;

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = onRequest === undefined ? 0 : performance.now();
    const method = req.method ?? 'GET';
    const target = splitTarget(req.url ?? '/');
    const context: RequestContext = {
      requestId: newRequestId(),
      credential: parseCredentialScope(req.headers.authorization),
    };
    let operation: string | undefined;
    let reply: Reply;
    let unexpectedError: unknown;
    let bodyTooLarge = false;
    try {
      const match = router.match(method, pathSegments(target.rawPath));
      if (match === undefined) {
        throw unknownOperation(method, target.rawPath);
      }
      const { route } = match;
      operation = route.operation;
      const limit: BodyLimit = route.bodyLimit ?? {
        bytes: DEFAULT_BODY_BYTES,
        operation: route.operation,
      };
      const body = route.body === undefined ? EMPTY : await readBody(req, limit);
      if (verifySignature !== undefined) {
        await verifySignature({
          method,
          ...target,
          headers: req.headers,
          rawHeaders: req.rawHeaders,
          body,
          context,
        });
      }
      const request = new ApiRequest({
        context,
        headers: req.headers,
        query: new URLSearchParams(target.rawQuery),
        labels: match.labels,
        body,
        json: route.body === 'json' ? parseJsonBody(body) : undefined,
      });
      reply = await route.handle(request, services);
    } catch (error) {
      if (error instanceof ServiceError) {
        reply = errorReply(error);
        bodyTooLarge = error instanceof BodyTooLargeError;
      } else {
        unexpectedError = error;
        reply = errorReply(serviceException('An internal error occurred.', error));
      }
    }
    await send(res, context.requestId, reply);
    if (bodyTooLarge) {
      discardRest(req);
    }
    onRequest?.({
      requestId: context.requestId,
      operation,
      method,
      path: target.rawPath,
      statusCode: reply.statusCode,
      durationMs: performance.now() - started,
      credential: context.credential,
      ...(unexpectedError === undefined ? {} : { unexpectedError }),
    });
  }

  return (req, res) => {
    void serve(req, res);
  };
}

/**
 * Writes the reply unless the client has gone. A reply that cannot be written (a header value
 * with characters HTTP forbids, say) becomes a 500, or a dropped connection once headers are out.
 * A streamed reply resolves when its body ends; one cut short (the client left) drops the rest.
 */
async function send(res: ServerResponse, requestId: string, reply: Reply): Promise<void> {
  if (res.destroyed || res.writableEnded) {
    if (reply.body instanceof Readable) {
      reply.body.destroy();
    }
    return;
  }
  try {
    await writeReply(res, requestId, reply);
  } catch (error) {
    if (res.headersSent) {
      res.destroy();
    } else {
      void writeReply(
        res,
        requestId,
        errorReply(serviceException('An internal error occurred.', error)),
      );
    }
  }
}

/**
 * After a 413 the rest of the oversized body is still arriving. Closing at once would make the
 * kernel reset the connection, and a client still uploading can lose the 413 with it; so the rest
 * is read and dropped (never buffered) for a while, as nginx's lingering close does. A client that
 * finishes in time keeps its connection; one that does not is disconnected.
 */
function discardRest(req: IncomingMessage): void {
  if (req.complete) {
    return;
  }
  // A socket-level guard like the server's own timeouts, not domain time: no Clock.
  const timer = setTimeout(() => req.socket.destroy(), DISCARD_WINDOW_MS);
  timer.unref();
  const stop = (): void => {
    clearTimeout(timer);
  };
  req.once('end', stop);
  req.once('close', stop);
  req.resume();
}
