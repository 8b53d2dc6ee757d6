import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AccountContext } from '../../core/arn.js';
import { ServiceError } from '../../core/errors.js';
import { queryCodeOf, sqsError } from '../../events/sqs/errors.js';
import type { QueueService } from '../../events/sqs/types.js';
import { signingScope } from '../protocol/sigv4.js';
import { createOperations, type RequestContext } from './operations.js';
import { decodeQuery, encodeXmlError, encodeXmlResponse } from './query-protocol.js';
import { QUEUE_PATH, queueUrl } from './queue-url.js';
import { checkInput } from './shape-check.js';
import { OPERATIONS } from './shapes.js';

/** Serves the SQS API on the shared port; the main router asks `matches` first. */
export interface SqsHttpHandler {
  /**
   * An SQS request: `X-Amz-Target: AmazonSQS.*` (JSON protocol), or a form-encoded POST to `/`
   * or to a queue URL path `/<account>/<queue>` (query protocol) that is not signed for another
   * service.
   */
  matches(req: IncomingMessage): boolean;
  /** Answers the request; `body` is the already-read request body. Never rejects. */
  handle(req: IncomingMessage, res: ServerResponse, body: Buffer): Promise<void>;
}

const TARGET_PREFIX = 'AmazonSQS.';
const JSON_CONTENT_TYPE = 'application/x-amz-json-1.0';

/**
 * SQS's two wire protocols over one QueueService: AWS JSON 1.0 (current SDKs; errors carry
 * `x-amzn-query-error`) and the query protocol (older SDKs and CLIs; XML responses).
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-json-api-responses.html
 */
export function createSqsHttpHandler(service: QueueService, ctx: AccountContext): SqsHttpHandler {
  const operations = createOperations(service, ctx);

  return {
    matches(req) {
      const target = req.headers['x-amz-target'];
      if (typeof target === 'string') {
        return target.startsWith(TARGET_PREFIX);
      }
      const contentType = req.headers['content-type'] ?? '';
      if (
        req.method !== 'POST' ||
        !contentType.toLowerCase().startsWith('application/x-www-form-urlencoded')
      ) {
        return false;
      }
      const signedFor = credentialScope(req)?.service;
      if (signedFor !== undefined && signedFor !== 'sqs') {
        return false;
      }
      const path = (req.url ?? '/').split('?')[0] ?? '/';
      return path === '/' || QUEUE_PATH.test(path);
    },

    async handle(req, res, body) {
      const requestId = randomUUID();
      const target = req.headers['x-amz-target'];
      const json = typeof target === 'string';
      const aborted = new AbortController();
      res.once('close', () => {
        if (!res.writableFinished) {
          aborted.abort();
        }
      });
      const senderId = credentialScope(req)?.accessKeyId;
      const request: RequestContext = {
        origin: `http://${req.headers.host ?? '127.0.0.1'}`,
        signal: aborted.signal,
        ...(senderId !== undefined && { senderId }),
      };
      try {
        let action: string;
        let input: Record<string, unknown>;
        if (json) {
          action = target.slice(TARGET_PREFIX.length);
          input = parseJson(body);
        } else {
          const params = new URLSearchParams(body.toString('utf8'));
          action = params.get('Action') ?? '';
          const shape = OPERATIONS[action];
          input = shape ? decodeQuery(shape.input, params) : {};
          // Query clients may name the queue by posting to its URL instead of a QueueUrl.
          const path = QUEUE_PATH.exec((req.url ?? '/').split('?')[0] ?? '/');
          if (input.QueueUrl === undefined && path?.[2] && path[1] === ctx.accountId) {
            input.QueueUrl = queueUrl(request.origin, ctx, path[2]);
          }
        }
        const shape = OPERATIONS[action];
        const operation = operations[action];
        if (!shape || !operation) {
          throw json
            ? sqsError('UnknownOperationException', `The operation ${action} is not supported.`)
            : sqsError(
                'UnknownOperationException',
                `The action ${action} is not valid for this endpoint.`,
              );
        }
        const output = await operation(checkInput(shape.input, input), request);
        if (json) {
          send(res, 200, JSON_CONTENT_TYPE, JSON.stringify(output), requestId);
        } else {
          send(
            res,
            200,
            'text/xml',
            encodeXmlResponse(action, shape.output, output, requestId),
            requestId,
          );
        }
      } catch (error) {
        const failure =
          error instanceof ServiceError
            ? error
            : sqsError('InternalError', 'We encountered an internal error. Please try again.');
        sendError(res, failure, json, requestId);
      }
    },
  };
}

function parseJson(body: Buffer): Record<string, unknown> {
  if (body.length === 0) {
    return {};
  }
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8'));
  } catch {
    throw sqsError('SerializationException', 'The request body is not valid JSON.');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw sqsError('SerializationException', 'The request body must be a JSON object.');
  }
  return value as Record<string, unknown>;
}

/**
 * The access key and service a request is signed with: the SigV4 Authorization header's
 * credential scope, or a presigned URL's X-Amz-Credential. Undefined when unsigned.
 */
function credentialScope(
  req: IncomingMessage,
): { accessKeyId: string; service: string } | undefined {
  const presigned = new URLSearchParams((req.url ?? '').split('?')[1] ?? '').get(
    'X-Amz-Credential',
  );
  return signingScope(req.headers.authorization, presigned);
}

function sendError(
  res: ServerResponse,
  error: ServiceError,
  json: boolean,
  requestId: string,
): void {
  if (json) {
    res.setHeader(
      'x-amzn-query-error',
      `${queryCodeOf(error.code)};${error.fault === 'client' ? 'Sender' : 'Receiver'}`,
    );
    const payload = { __type: `com.amazonaws.sqs#${error.code}`, message: error.message };
    send(res, error.statusCode, JSON_CONTENT_TYPE, JSON.stringify(payload), requestId);
  } else {
    send(res, error.statusCode, 'text/xml', encodeXmlError(error, requestId), requestId);
  }
}

function send(
  res: ServerResponse,
  status: number,
  contentType: string,
  payload: string,
  requestId: string,
): void {
  if (res.destroyed) {
    return;
  }
  const bytes = Buffer.from(payload, 'utf8');
  res.writeHead(status, {
    'Content-Type': contentType,
    'Content-Length': String(bytes.length),
    'x-amzn-RequestId': requestId,
  });
  res.end(bytes);
}
