/**
 * The API Gateway v2 management API on the shared port: restJson1 under `/v2/apis` and
 * `/v2/tags`, signed for service `apigateway`, errors as `{"message": …}` with
 * `x-amzn-ErrorType`.
 * https://docs.aws.amazon.com/apigatewayv2/latest/api-reference/api-reference.html
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ServiceError } from '../../core/errors.js';
import { newRequestId } from '../../core/ids.js';
import { notFound } from '../../control/http-apis/errors.js';
import type { HttpApiService } from '../../control/http-apis/http-api-service.js';
import type { ServiceHandler } from '../front-door.js';
import { pathSegments, splitTarget } from '../protocol/request.js';
import { JSON_CONTENT_TYPE, writeReply, type Reply } from '../protocol/response.js';
import { Router } from '../protocol/router.js';
import { Input } from './input.js';
import { createOperations, type Operation } from './operations.js';

/** Everything under `/v2/apis` and `/v2/tags`: the Lambda API has no path there. */
const API_PATH = /^\/v2\/(?:apis|tags)(?:[/?]|$)/;
/** A request to a function URL or an HTTP API's own host is the user's, whatever its path. */
const SERVED_HOST = /^[a-z0-9]+\.(?:execute-api|lambda-url)\./i;

export interface ApiGatewayHandlerOptions {
  /** Told about failures that were not ServiceErrors (answered as a 500). */
  readonly onUnexpectedError?: (operation: string, error: unknown) => void;
}

export function createApiGatewayV2HttpHandler(
  service: HttpApiService,
  options: ApiGatewayHandlerOptions = {},
): ServiceHandler {
  const router = new Router<Operation>(createOperations(service));

  return {
    matches(req) {
      return API_PATH.test(req.url ?? '') && !SERVED_HOST.test(req.headers.host ?? '');
    },

    async handle(req: IncomingMessage, res: ServerResponse, body: Buffer) {
      const requestId = newRequestId();
      const method = req.method ?? 'GET';
      const target = splitTarget(req.url ?? '/');
      let reply: Reply;
      let operation = 'unknown';
      try {
        const match = router.match(method, pathSegments(target.rawPath));
        if (match === undefined) {
          throw notFound(`Fogbank does not serve ${method} ${target.rawPath}.`);
        }
        operation = match.route.operation;
        const result = await match.route.run({
          labels: match.labels,
          query: new URLSearchParams(target.rawQuery),
          input: Input.parse(body),
        });
        reply =
          match.route.status === 204
            ? { statusCode: 204 }
            : {
                statusCode: match.route.status,
                body: JSON.stringify(result),
                contentType: JSON_CONTENT_TYPE,
              };
      } catch (error) {
        if (!(error instanceof ServiceError)) {
          options.onUnexpectedError?.(operation, error);
        }
        reply = errorReply(
          error instanceof ServiceError
            ? error
            : new ServiceError('InternalServerErrorException', 500, 'Internal server error'),
        );
      }
      if (!res.destroyed && !res.writableEnded) {
        await writeReply(res, requestId, reply);
      }
    },
  };
}

/** API Gateway's error body: `{"message": …}` and the exception's own members. */
function errorReply(error: ServiceError): Reply {
  return {
    statusCode: error.statusCode,
    body: JSON.stringify({ message: error.message, ...error.fields }),
    contentType: JSON_CONTENT_TYPE,
    headers: { 'x-amzn-ErrorType': error.code },
  };
}
