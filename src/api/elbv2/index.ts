/**
 * The ELBv2 API (Lambda target groups) on the shared port: the AWS query protocol
 * (`Action=…&Version=2015-12-01`, XML answers), signed for service `elasticloadbalancing`.
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/Welcome.html
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ServiceError } from '../../core/errors.js';
import { newRequestId } from '../../core/ids.js';
import type { TargetGroupService } from '../../control/target-groups/target-group-service.js';
import type { ServiceHandler } from '../front-door.js';
import {
  queryErrorXml,
  queryParameters,
  queryResponseXml,
  writeQueryXml,
} from '../protocol/query-protocol.js';
import { signingScope } from '../protocol/sigv4.js';
import { createOperations } from './operations.js';

const XMLNS = 'http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/';
const API_VERSION = '2015-12-01';
const SIGNING_NAME = 'elasticloadbalancing';

/** Whether a form-encoded body is an ELBv2 query request (its Version is ELBv2's). */
export function isElbv2QueryBody(body: Buffer): boolean {
  const params = new URLSearchParams(body.toString('utf8'));
  return params.get('Version') === API_VERSION && params.has('Action');
}

export interface Elbv2HandlerOptions {
  /** Told about failures that were not ServiceErrors (answered as a 500). */
  readonly onUnexpectedError?: (action: string, error: unknown) => void;
}

export function createElbv2HttpHandler(
  service: TargetGroupService,
  options: Elbv2HandlerOptions = {},
): ServiceHandler {
  const operations = createOperations(service);

  return {
    /** Signed for `elasticloadbalancing`, or unsigned with `Version=2015-12-01` in the query. */
    matches(req) {
      if (req.headers['x-amz-target'] !== undefined) {
        return false;
      }
      const url = req.url ?? '/';
      const query = new URLSearchParams(url.includes('?') ? url.slice(url.indexOf('?') + 1) : '');
      const signedFor = signingScope(
        req.headers.authorization,
        query.get('X-Amz-Credential'),
      )?.service;
      if (signedFor !== undefined) {
        return signedFor === SIGNING_NAME;
      }
      return query.get('Version') === API_VERSION && query.has('Action');
    },

    async handle(req: IncomingMessage, res: ServerResponse, body: Buffer) {
      const requestId = newRequestId();
      let status = 200;
      let xml: string;
      const params = queryParameters(req.url, body);
      const action = params.get('Action') ?? '';
      try {
        const operation = Object.hasOwn(operations, action) ? operations[action] : undefined;
        if (operation === undefined) {
          throw new ServiceError(
            'InvalidAction',
            400,
            `The action ${action} is not valid for this web service.`,
          );
        }
        xml = queryResponseXml(XMLNS, action, await operation(params), requestId);
      } catch (error) {
        if (!(error instanceof ServiceError)) {
          options.onUnexpectedError?.(action, error);
        }
        const failure =
          error instanceof ServiceError
            ? error
            : new ServiceError('InternalFailure', 500, 'Internal failure');
        status = failure.statusCode;
        xml = queryErrorXml(XMLNS, failure, requestId);
      }
      writeQueryXml(res, status, xml, requestId);
    },
  };
}
