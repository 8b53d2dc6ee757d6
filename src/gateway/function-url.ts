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
import { ServiceError } from '../core/errors.js';
import { newRequestId } from '../core/ids.js';
import type { FunctionUrlTarget } from '../control/function-config/types.js';
import type { Invoker, StreamingInvoker } from '../invoke/types.js';
import { isPreflight, preflightResponse, withCors } from './cors.js';
import { captureRequest, headerValue, readBody, type HttpRequest } from './http-request.js';
import { frontEndResponse, type HttpResponse } from './http-response.js';
import { authorizeIam } from './iam-auth.js';
import { payloadV2Event } from './payload-v2.js';
import { responseFromV2 } from './response-v2.js';
import { invokeFunction, MAX_SYNC_PAYLOAD } from './invoke-function.js';
import { UrlResponseStream } from './streaming.js';
import type { TriggerAddress } from './trigger-address.js';
import { createTrigger } from './trigger.js';

/** Where the front finds a URL's config (FunctionUrls.lookupUrl in src/control). */
export interface FunctionUrlDirectory {
  lookupUrl(urlId: string): Promise<FunctionUrlTarget | undefined>;
}

export interface FunctionUrlFrontOptions {
  readonly invoker: Invoker;
  /** Streams RESPONSE_STREAM URLs; without it they are answered buffered. */
  readonly streamingInvoker?: StreamingInvoker;
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
  return respond(o, url, payload, requestId);
}

/** Runs the invocation in the URL's InvokeMode. */
async function respond(
  o: FunctionUrlFrontOptions,
  url: FunctionUrlTarget,
  payload: Buffer,
  requestId: string,
): Promise<HttpResponse> {
  switch (url.invokeMode) {
    case 'BUFFERED':
      return invokeBuffered(o.invoker, url, payload, requestId);
    case 'RESPONSE_STREAM':
      return o.streamingInvoker === undefined
        ? invokeBuffered(o.invoker, url, payload, requestId)
        : invokeStreamed(o.streamingInvoker, url, payload, requestId);
  }
}

/**
 * RESPONSE_STREAM (spec §2.4): answers as soon as the function's HTTP head is known (its
 * prelude, or the first bytes of a plain stream), the body following as it is written. A
 * refusal or a failure before the head is answered as in BUFFERED mode.
 */
async function invokeStreamed(
  invoker: StreamingInvoker,
  url: FunctionUrlTarget,
  payload: Buffer,
  requestId: string,
): Promise<HttpResponse> {
  const stream = new UrlResponseStream();
  const finished = invoker.invokeStream(
    {
      functionName: url.functionName,
      ...(url.qualifier !== undefined && { qualifier: url.qualifier }),
      invocationType: 'RequestResponse',
      logType: 'None',
      payload,
      requestId,
    },
    stream,
  );
  let response;
  try {
    response = await Promise.race([stream.response, finished.then(() => stream.response)]);
  } catch (err) {
    if (err instanceof ServiceError) {
      return refusedResponse(err);
    }
    throw err;
  }
  // A platform failure after the head went out can only cut the response short.
  finished.catch(() => {
    stream.abort();
  });
  if (response.kind === 'function-error') {
    return frontEndResponse(502, INTERNAL_ERROR);
  }
  const { statusCode, headers, body } = response;
  return { statusCode, headers, body };
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
