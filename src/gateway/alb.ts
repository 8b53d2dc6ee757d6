/**
 * Serves Application Load Balancer target groups of TargetType `lambda` at
 * `/alb/<target-group-name>/…`: the ALB event (spec §4.3), single- or multi-value as the target
 * group's `lambda.multi_value_headers.enabled` says, and the response mapped back.
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/application/lambda-functions.html
 */
import type { IncomingMessage } from 'node:http';
import type { HttpTrigger } from '../api/front-door.js';
import type { Clock } from '../core/clock.js';
import { newRequestId } from '../core/ids.js';
import type { Invoker } from '../invoke/types.js';
import { encodeBody } from './body-encoding.js';
import type { AlbDirectory, AlbTargetGroup } from './http-api-types.js';
import { captureRequest, headerValue, proxiedHeaders, readBody } from './http-request.js';
import type { HttpRequest } from './http-request.js';
import type { HttpResponse } from './http-response.js';
import { invokeFunction } from './invoke-function.js';
import { multiValueHeaderMap } from './payload-v1.js';
import { bodyOf, headerMap, isRecord, parseJson } from './response-v2.js';
import type { TriggerAddress } from './trigger-address.js';
import { createTrigger } from './trigger.js';

export interface AlbFrontOptions {
  readonly invoker: Invoker;
  readonly albs: AlbDirectory;
  readonly clock: Clock;
  readonly onError?: (err: unknown) => void;
}

/** An ALB sends at most 1 MB of request body to a function and accepts 1 MB of response JSON. */
const MAX_BODY = 1_048_576;

/** The load balancer's own error page. */
function errorPage(statusCode: number, reason: string): HttpResponse {
  const title = `${statusCode} ${reason}`;
  return {
    statusCode,
    headers: { 'content-type': 'text/html' },
    body: Buffer.from(
      `<html>\r\n<head><title>${title}</title></head>\r\n<body>\r\n<center><h1>${title}</h1></center>\r\n</body>\r\n</html>\r\n`,
    ),
  };
}

const BAD_GATEWAY = (): HttpResponse => errorPage(502, 'Bad Gateway');

/** The HTTP trigger for ALB target groups. */
export function albTrigger(options: AlbFrontOptions): HttpTrigger {
  return createTrigger(
    {
      kind: 'alb',
      newRequestId,
      failure: BAD_GATEWAY(),
      serve: (req, address) => serveTargetGroup(options, req, address),
    },
    options.onError,
  );
}

async function serveTargetGroup(
  o: AlbFrontOptions,
  req: IncomingMessage,
  address: TriggerAddress,
): Promise<HttpResponse> {
  const group = o.albs.targetGroup(address.id);
  if (group?.functionArn === undefined) {
    req.resume();
    // No such target group answers like a listener without a matching rule; no target like ALB.
    return group === undefined
      ? errorPage(404, 'Not Found')
      : errorPage(503, 'Service Temporarily Unavailable');
  }
  const body = await readBody(req, MAX_BODY);
  if (body === 'too-large') {
    return errorPage(413, 'Request Entity Too Large');
  }
  const request = captureRequest(req, address, body, o.clock.now());
  const payload = Buffer.from(JSON.stringify(albEvent(request, group)));
  const outcome = await invokeFunction(o.invoker, { functionName: group.functionArn }, payload);
  if (outcome.kind !== 'result' || outcome.payload.length > MAX_BODY) {
    return BAD_GATEWAY();
  }
  return responseFromAlb(outcome.payload, group.multiValueHeaders) ?? BAD_GATEWAY();
}

/** The event: header names lower-case, query names and values as sent (still percent-encoded). */
export function albEvent(request: HttpRequest, group: AlbTargetGroup): unknown {
  const query: [string, string][] = request.rawQueryString
    .split('&')
    .filter((pair) => pair !== '')
    .map((pair) => {
      const eq = pair.indexOf('=');
      return eq < 0 ? [pair, ''] : [pair.slice(0, eq), pair.slice(eq + 1)];
    });
  const headers = proxiedHeaders(request);
  const { body, isBase64Encoded } = encodeBody(request.body, headerValue(request, 'content-type'));
  return {
    requestContext: { elb: { targetGroupArn: group.targetGroupArn } },
    httpMethod: request.method,
    path: request.rawPath,
    ...(group.multiValueHeaders
      ? {
          multiValueQueryStringParameters: multiValues(query),
          multiValueHeaders: multiValues(headers),
        }
      : {
          queryStringParameters: Object.fromEntries(query),
          headers: Object.fromEntries(headers),
        }),
    body: body ?? '',
    isBase64Encoded,
  };
}

function multiValues(pairs: readonly (readonly [string, string])[]): Record<string, string[]> {
  const map: Record<string, string[]> = {};
  for (const [name, value] of pairs) {
    (map[name] ??= []).push(value);
  }
  return map;
}

/**
 * The HTTP response of an ALB result: `statusCode`, `statusDescription` (`200 OK`) as the reason
 * phrase, `multiValueHeaders` when the target group has them on and `headers` otherwise, `body`
 * and `isBase64Encoded`; undefined when it is not one.
 */
export function responseFromAlb(payload: Buffer, multiValue: boolean): HttpResponse | undefined {
  const value = parseJson(payload)?.value;
  if (!isRecord(value)) {
    return undefined;
  }
  const { statusCode, statusDescription } = value;
  if (
    typeof statusCode !== 'number' ||
    !Number.isInteger(statusCode) ||
    statusCode < 100 ||
    statusCode > 599 ||
    (statusDescription !== undefined && typeof statusDescription !== 'string')
  ) {
    return undefined;
  }
  const headers = multiValue
    ? multiValueHeaderMap(value.multiValueHeaders)
    : headerMap(value.headers);
  const body = bodyOf(value.body, value.isBase64Encoded);
  if (headers === undefined || body === undefined) {
    return undefined;
  }
  const reason = statusDescription?.replace(/^\d{3}\s*/, '');
  return {
    statusCode,
    headers,
    body,
    ...(reason !== undefined && reason !== '' && { statusMessage: reason }),
  };
}
