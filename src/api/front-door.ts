import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Http2ServerRequest, Http2ServerResponse } from 'node:http2';
import { newRequestId } from '../core/ids.js';
import { requestTooLarge } from '../core/errors.js';
import { writeError } from './protocol/aws-json.js';

/** A neighbouring AWS service (queues, streams, topics, rules, logs) on the shared port. */
export interface ServiceHandler {
  matches(req: IncomingMessage): boolean;
  handle(req: IncomingMessage, res: ServerResponse, body: Buffer): Promise<void>;
}

/**
 * An HTTP trigger (function URLs, API Gateway HTTP APIs, ALB targets): requests addressed to it
 * by Host or by a path prefix never reach the AWS APIs. It reads the body itself, under its own
 * limit, and answers in its own error format.
 */
export interface HttpTrigger {
  /** The handler of this request when it is addressed to this trigger, else undefined. */
  accept(req: IncomingMessage): ((res: ServerResponse) => void) | undefined;
}

export interface FrontDoorOptions {
  /** Asked first, in order: a request one of them accepts is served by it alone. */
  readonly triggers?: readonly HttpTrigger[];
  /** The Lambda REST API, which reads its own body (it enforces per-operation limits). */
  readonly lambda: (req: IncomingMessage, res: ServerResponse) => void;
  /** Asked in order; the first that matches gets the request with its body. */
  readonly services: readonly ServiceHandler[];
  /**
   * An unsigned form-encoded POST is SQS, SNS or ELBv2 query protocol: only the body tells (its
   * `Version`). Signed requests name their service in the credential scope. The first whose
   * `matchesBody` accepts an unsigned body gets the request instead of the service that matched.
   */
  readonly queryByBody?: readonly {
    readonly matchesBody: (body: Buffer) => boolean;
    readonly handler: ServiceHandler;
  }[];
}

/** Bodies of the JSON and query services: Kinesis PutRecords carries 5 MiB as base64. */
const SERVICE_BODY_LIMIT = 8 * 1024 * 1024;

/**
 * One port, every API (DESIGN.md): HTTP triggers by Host or path prefix, the Lambda REST API by
 * path, the JSON-protocol services by `X-Amz-Target`, the query-protocol services by form body and
 * credential scope.
 */
export function createFrontDoor(
  options: FrontDoorOptions,
): (req: IncomingMessage | Http2ServerRequest, res: ServerResponse | Http2ServerResponse) => void {
  return (req, res) => {
    // HTTP/2 requests (the Kinesis SDK speaks it by default) have the surface read here.
    const request = req as IncomingMessage;
    for (const trigger of options.triggers ?? []) {
      const serve = trigger.accept(request);
      if (serve !== undefined) {
        serve(res as ServerResponse);
        return;
      }
    }
    const service = options.services.find((s) => s.matches(request));
    if (service === undefined) {
      options.lambda(request, res as ServerResponse);
      return;
    }
    readBody(request).then(
      (body) => {
        const byBody = request.headers.authorization
          ? undefined
          : options.queryByBody?.find((q) => q.matchesBody(body));
        const target = byBody?.handler ?? service;
        // An Http2ServerResponse has the ServerResponse surface these handlers use.
        return target.handle(request, res as ServerResponse, body);
      },
      () => {
        writeError(
          res,
          newRequestId(),
          requestTooLarge(`Request must be smaller than ${SERVICE_BODY_LIMIT} bytes`),
        );
        request.resume();
      },
    );
  };
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > SERVICE_BODY_LIMIT) {
        req.removeAllListeners('data');
        reject(new Error('too large'));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      resolve(Buffer.concat(chunks));
    });
    req.on('error', reject);
  });
}
