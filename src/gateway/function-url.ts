/**
 * Serves function URLs (spec §1.5 "Function URLs"): finds the URL by the id in the Host or the
 * path, checks AWS_IAM signatures, answers CORS preflights, builds the 2.0 event, invokes the
 * function synchronously through the Invoker, and maps its result back to HTTP.
 * https://docs.aws.amazon.com/lambda/latest/dg/urls-invocation.html
 */
import type { IncomingMessage } from 'node:http';
import type { HttpTrigger } from '../api/front-door.js';
import type { AccountContext } from '../core/arn.js';
import type { Clock } from '../core/clock.js';
import type { ServiceError } from '../core/errors.js';
import { newRequestId } from '../core/ids.js';
import type { FunctionUrlTarget } from '../control/function-config/types.js';
import type { Invoker } from '../invoke/types.js';
import { isPreflight, preflightResponse, withCors } from './cors.js';
import { captureRequest, headerValue, readBody, type HttpRequest } from './http-request.js';
import { frontEndResponse, type HttpResponse } from './http-response.js';
import { authorizeIam } from './iam-auth.js';
import { payloadV2Event } from './payload-v2.js';
import { responseFromV2 } from './response-v2.js';
import { invokeFunction, MAX_SYNC_PAYLOAD } from './invoke-function.js';
import type { TriggerAddress } from './trigger-address.js';
import { createTrigger } from './trigger.js';

/** Where the front finds a URL's config (FunctionUrls.lookupUrl in src/control). */
export interface FunctionUrlDirectory {
  lookupUrl(urlId: string): Promise<FunctionUrlTarget | undefined>;
}

export interface FunctionUrlFrontOptions {
  readonly invoker: Invoker;
  readonly urls: FunctionUrlDirectory;
  readonly ctx: AccountContext;
  readonly clock: Clock;
  /** Hears of anything unexpected that a client saw as a 502 (for the operator's log). */
  readonly onError?: (err: unknown) => void;
}

const INTERNAL_ERROR = 'Internal Server Error';

/** The HTTP trigger for function URLs. */
export function functionUrlTrigger(options: FunctionUrlFrontOptions): HttpTrigger {
  return createTrigger(
    {
      kind: 'lambda-url',
      newRequestId,
      requestIdHeader: 'x-amzn-requestid',
      // Most often a function's header that cannot be sent: a malformed response.
      failure: frontEndResponse(502, INTERNAL_ERROR),
      serve: (req, address, requestId) => serveUrl(options, req, address, requestId),
    },
    options.onError,
  );
}

async function serveUrl(
  o: FunctionUrlFrontOptions,
  req: IncomingMessage,
  address: TriggerAddress,
  requestId: string,
): Promise<HttpResponse> {
  const url = await o.urls.lookupUrl(address.id);
  if (url === undefined) {
    req.resume();
    return frontEndResponse(403, '{"Message":null}', 'AccessDeniedException');
  }
  const body = await readBody(req, MAX_SYNC_PAYLOAD);
  if (body === 'too-large') {
    return payloadTooLarge();
  }
  const request = captureRequest(req, address, body, o.clock.now());
  const origin = headerValue(request, 'origin');
  if (
    url.cors !== undefined &&
    origin !== undefined &&
    isPreflight(request.method, headerValue(request, 'access-control-request-method'))
  ) {
    return preflightResponse(url.cors, origin);
  }
  const response = await invokeUrl(o, url, address.id, request, requestId);
  return url.cors === undefined ? response : withCors(response, url.cors, origin);
}

/** Authorizes the request, invokes the function with its event, and maps the result. */
async function invokeUrl(
  o: FunctionUrlFrontOptions,
  url: FunctionUrlTarget,
  urlId: string,
  request: HttpRequest,
  requestId: string,
): Promise<HttpResponse> {
  let authorizer;
  if (url.authType === 'AWS_IAM') {
    const auth = authorizeIam(request, o.ctx, request.receivedAt);
    if (!('iam' in auth)) {
      return auth;
    }
    authorizer = auth;
  }
  const event = payloadV2Event(request, {
    routeKey: '$default',
    apiId: urlId,
    stage: '$default',
    // The host the request reached (in the path form, the server's own name).
    domainName: request.hostname,
    domainPrefix: urlId,
    accountId: authorizer === undefined ? 'anonymous' : o.ctx.accountId,
    ...(authorizer !== undefined && { authorizer }),
    requestId,
  });
  const payload = Buffer.from(JSON.stringify(event));
  if (payload.length > MAX_SYNC_PAYLOAD) {
    return payloadTooLarge();
  }
  return respond(o.invoker, url, payload, requestId);
}

/**
 * Runs the invocation in the URL's InvokeMode. RESPONSE_STREAM is served buffered until the
 * Invoker can stream (the whole response is sent once the function has finished).
 */
async function respond(
  invoker: Invoker,
  url: FunctionUrlTarget,
  payload: Buffer,
  requestId: string,
): Promise<HttpResponse> {
  switch (url.invokeMode) {
    case 'BUFFERED':
    case 'RESPONSE_STREAM':
      return invokeBuffered(invoker, url, payload, requestId);
  }
}

async function invokeBuffered(
  invoker: Invoker,
  url: FunctionUrlTarget,
  payload: Buffer,
  requestId: string,
): Promise<HttpResponse> {
  const outcome = await invokeFunction(invoker, url, payload, requestId);
  switch (outcome.kind) {
    case 'result':
      return responseFromV2(outcome.payload) ?? frontEndResponse(502, INTERNAL_ERROR);
    case 'function-error':
      return frontEndResponse(502, INTERNAL_ERROR);
    case 'refused':
      return refusedResponse(outcome.error);
  }
}

/** What the caller sees when Lambda refuses the invocation. */
function refusedResponse(error: ServiceError): HttpResponse {
  if (error.statusCode === 429) {
    return frontEndResponse(429, '{"Message":"Rate Exceeded."}', 'TooManyRequestsException');
  }
  if (error.statusCode === 413) {
    return payloadTooLarge();
  }
  return frontEndResponse(502, INTERNAL_ERROR);
}

function payloadTooLarge(): HttpResponse {
  return frontEndResponse(
    413,
    JSON.stringify({
      Message: `Request must be smaller than ${MAX_SYNC_PAYLOAD} bytes for the InvokeFunction operation`,
    }),
    'RequestEntityTooLargeException',
  );
}
