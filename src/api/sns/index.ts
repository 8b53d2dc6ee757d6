/**
 * The SNS API on the shared port. SNS speaks only the AWS query protocol (form-encoded
 * `Action=…&Version=2010-03-31` POSTs, XML answers); so does the built-in SQS service, so a
 * request is claimed by the service its SigV4 credential scope names.
 * https://docs.aws.amazon.com/sns/latest/api/CommonParameters.html
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AccountContext } from '../../core/arn.js';
import { ServiceError } from '../../core/errors.js';
import { snsError } from '../../events/sns/errors.js';
import type { SnsService } from '../../events/sns/types.js';
import { queryParameters, writeQueryXml } from '../protocol/query-protocol.js';
import { signingScope } from '../protocol/sigv4.js';
import { createOperations } from './operations.js';
import { SNS_API_VERSION, errorXml, responseXml } from './query-protocol.js';

export interface SnsHttpHandler {
  /**
   * An SNS request: signed for service `sns` (the Authorization header's credential scope, or a
   * presigned URL's X-Amz-Credential), or an unsigned request whose query string carries
   * `Version=2010-03-31`. An unsigned form POST cannot be told apart without its body; a router
   * that has read the body asks `isSnsQueryBody` for those.
   */
  matches(req: IncomingMessage): boolean;
  /** Answers the request; `body` is the already-read request body. Never rejects. */
  handle(req: IncomingMessage, res: ServerResponse, body: Buffer): Promise<void>;
}

function query(req: IncomingMessage): URLSearchParams {
  const url = req.url ?? '/';
  const at = url.indexOf('?');
  return new URLSearchParams(at < 0 ? '' : url.slice(at + 1));
}

/** Whether a form-encoded body is an SNS query request (its Version is SNS's API version). */
export function isSnsQueryBody(body: Buffer): boolean {
  const params = new URLSearchParams(body.toString('utf8'));
  return params.get('Version') === SNS_API_VERSION && params.has('Action');
}

export function createSnsHttpHandler(
  service: SnsService,
  // eslint-disable-next-line @typescript-eslint/no-unused-vars -- the signature every service handler shares; the service checks ARNs against its own context
  ctx: AccountContext,
): SnsHttpHandler {
  const operations = createOperations(service);

  return {
    matches(req) {
      if (req.headers['x-amz-target'] !== undefined) {
        return false;
      }
      const params = query(req);
      const signedFor = signingScope(
        req.headers.authorization,
        params.get('X-Amz-Credential'),
      )?.service;
      if (signedFor !== undefined) {
        return signedFor === 'sns';
      }
      return params.get('Version') === SNS_API_VERSION && params.has('Action');
    },

    async handle(req, res, body) {
      const requestId = randomUUID();
      try {
        const params = queryParameters(req.url, body);
        const action = params.get('Action') ?? '';
        const operation = Object.hasOwn(operations, action) ? operations[action] : undefined;
        if (operation === undefined) {
          throw snsError(
            'InvalidActionException',
            `The action ${action} is not valid for this endpoint.`,
          );
        }
        const result = await operation(params);
        writeQueryXml(res, 200, responseXml(action, result, requestId), requestId);
      } catch (error) {
        const failure =
          error instanceof ServiceError
            ? error
            : snsError('InternalErrorException', 'Internal Error');
        writeQueryXml(res, failure.statusCode, errorXml(failure, requestId), requestId);
      }
    },
  };
}
