/**
 * Serves API Gateway HTTP APIs with Lambda proxy integrations: the stage is the first path
 * segment when it names one (else `$default`), the route is the most specific match, and the
 * integration's payload format (1.0 or 2.0) decides the event and the response mapping.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { HttpTrigger } from '../api/front-door.js';
import type { AccountContext } from '../core/arn.js';
import type { Clock } from '../core/clock.js';
import type { Invoker } from '../invoke/types.js';
import type { HttpApiDirectory, HttpApiIntegration, HttpApiStage } from './http-api-types.js';
import { captureRequest, readBody, type HttpRequest } from './http-request.js';
import { frontEndResponse, type HttpResponse } from './http-response.js';
import { invokeFunction, MAX_SYNC_PAYLOAD, type InvocationOutcome } from './invoke-function.js';
import { payloadV1Event, responseFromV1 } from './payload-v1.js';
import { payloadV2Event } from './payload-v2.js';
import { responseFromV2 } from './response-v2.js';
import { matchRoute, routePath, type RouteMatch } from './route-match.js';
import type { TriggerAddress } from './trigger-address.js';
import { createTrigger } from './trigger.js';

export interface HttpApiFrontOptions {
  readonly invoker: Invoker;
  readonly httpApis: HttpApiDirectory;
  readonly ctx: AccountContext;
  readonly clock: Clock;
  readonly onError?: (err: unknown) => void;
}

/** API Gateway's own limit on a request body (Lambda's 6 MB applies to the event). */
const MAX_REQUEST_BODY = 10 * 1024 * 1024;

const message = (statusCode: number, text: string): HttpResponse =>
  frontEndResponse(statusCode, JSON.stringify({ message: text }));
const NOT_FOUND = (): HttpResponse => message(404, 'Not Found');
const INTERNAL_ERROR = (): HttpResponse => message(500, 'Internal Server Error');

/** The HTTP trigger for HTTP APIs (`<api-id>.execute-api.<region>.…` or `/execute-api/<api-id>/…`). */
export function httpApiTrigger(options: HttpApiFrontOptions): HttpTrigger {
  return createTrigger(
    {
      kind: 'execute-api',
      // HTTP APIs' request ids are 16 characters of base64 (`JKJaXmPLvHcESHA=`).
      newRequestId: () => randomBytes(11).toString('base64'),
      requestIdHeader: 'apigw-requestid',
      failure: INTERNAL_ERROR(),
      serve: (req, address, requestId) => serveApi(options, req, address, requestId),
    },
    options.onError,
  );
}

async function serveApi(
  o: HttpApiFrontOptions,
  req: IncomingMessage,
  address: TriggerAddress,
  requestId: string,
): Promise<HttpResponse> {
  const found = selectStage(o.httpApis.stages(address.id), address.rawPath);
  const match =
    found === undefined
      ? undefined
      : matchRoute(found.stage.routes, req.method ?? 'GET', found.path);
  if (found === undefined || match === undefined) {
    req.resume();
    return NOT_FOUND();
  }
  const body = await readBody(req, MAX_REQUEST_BODY);
  if (body === 'too-large') {
    return message(413, 'Request Entity Too Large');
  }
  const request = captureRequest(req, address, body, o.clock.now());
  const { integration } = match.route;
  const event = eventOf(o, request, address.id, found.stage, match, requestId);
  const payload = Buffer.from(JSON.stringify(event));
  if (payload.length > MAX_SYNC_PAYLOAD) {
    return message(413, 'Request Entity Too Large');
  }
  const outcome = await withTimeout(
    o.clock,
    invokeFunction(o.invoker, { functionName: integration.functionArn }, payload),
    integration.timeoutMs,
  );
  return responseOf(integration, outcome);
}

/** The stage a path is for, and the path its routes see (the stage segment removed). */
function selectStage(
  stages: readonly HttpApiStage[],
  rawPath: string,
): { stage: HttpApiStage; path: string } | undefined {
  const first = rawPath.split('/')[1] ?? '';
  const named = stages.find((s) => s.stageName !== '$default' && s.stageName === first);
  if (named !== undefined) {
    return { stage: named, path: rawPath.slice(first.length + 1) || '/' };
  }
  const fallback = stages.find((s) => s.stageName === '$default');
  return fallback === undefined ? undefined : { stage: fallback, path: rawPath };
}

function eventOf(
  o: HttpApiFrontOptions,
  request: HttpRequest,
  apiId: string,
  stage: HttpApiStage,
  match: RouteMatch,
  requestId: string,
): unknown {
  const { routeKey } = match.route;
  const hasParameters = Object.keys(match.pathParameters).length > 0;
  const hasVariables = Object.keys(stage.stageVariables).length > 0;
  const common = {
    apiId,
    stage: stage.stageName,
    domainName: request.hostname,
    domainPrefix: apiId,
    accountId: o.ctx.accountId,
    requestId,
  };
  if (match.route.integration.payloadFormatVersion === '1.0') {
    return payloadV1Event(request, {
      ...common,
      resource: routePath(routeKey),
      routeKey,
      pathParameters: match.pathParameters,
      stageVariables: stage.stageVariables,
    });
  }
  return payloadV2Event(request, {
    ...common,
    routeKey,
    ...(hasParameters && { pathParameters: match.pathParameters }),
    ...(hasVariables && { stageVariables: stage.stageVariables }),
  });
}

function responseOf(
  integration: HttpApiIntegration,
  outcome: InvocationOutcome | 'timeout',
): HttpResponse {
  if (outcome === 'timeout') {
    return message(503, 'Service Unavailable');
  }
  switch (outcome.kind) {
    case 'result': {
      const mapped =
        integration.payloadFormatVersion === '1.0'
          ? responseFromV1(outcome.payload)
          : responseFromV2(outcome.payload);
      return mapped ?? INTERNAL_ERROR();
    }
    case 'function-error':
      return INTERNAL_ERROR();
    case 'refused':
      return outcome.error.statusCode === 429
        ? message(429, 'Too Many Requests')
        : outcome.error.statusCode === 413
          ? message(413, 'Request Entity Too Large')
          : INTERNAL_ERROR();
  }
}

/**
 * The invocation's outcome, or `timeout` once the integration's TimeoutInMillis has passed (the
 * invocation itself runs on to its own timeout, as on AWS).
 */
function withTimeout<T>(clock: Clock, work: Promise<T>, ms: number): Promise<T | 'timeout'> {
  return new Promise((resolve, reject) => {
    const timer = clock.setTimeout(() => {
      resolve('timeout');
    }, ms);
    work.then(
      (value) => {
        clock.clearTimeout(timer);
        resolve(value);
      },
      (err: unknown) => {
        clock.clearTimeout(timer);
        reject(err instanceof Error ? err : new Error(String(err)));
      },
    );
  });
}
