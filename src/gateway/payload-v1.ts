/**
 * The payload format 1.0 event (spec §4.1) of an HTTP API route whose integration asks for it,
 * and the 1.0 response mapping.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html
 */
import { encodeBody } from './body-encoding.js';
import { headerValue, proxiedHeaders, type HttpRequest } from './http-request.js';
import type { HttpResponse } from './http-response.js';
import { queryParameters } from './payload-v2.js';
import { requestTime } from './request-time.js';
import { bodyOf, headerMap, isRecord, parseJson, scalarText } from './response-v2.js';

export interface PayloadV1Options {
  /** The route's path (`/items/{id}`), or `$default`. */
  readonly resource: string;
  /** The route key (`GET /items/{id}`), as HTTP APIs report it in resourceId. */
  readonly routeKey: string;
  readonly apiId: string;
  readonly stage: string;
  readonly domainName: string;
  readonly domainPrefix: string;
  readonly accountId: string;
  readonly pathParameters: Readonly<Record<string, string>>;
  readonly stageVariables: Readonly<Record<string, string>>;
  readonly requestId: string;
}

/** Builds the 1.0 event: single values are the last one sent, multi-values every one. */
export function payloadV1Event(request: HttpRequest, options: PayloadV1Options): unknown {
  const headers: Record<string, string> = {};
  const multiValueHeaders: Record<string, string[]> = {};
  for (const [name, value] of proxiedHeaders(request)) {
    headers[name] = value;
    (multiValueHeaders[name] ??= []).push(value);
  }
  const query = queryParameters(request.rawQueryString);
  const { body, isBase64Encoded } = encodeBody(request.body, headerValue(request, 'content-type'));
  const nullIfEmpty = <T extends object>(o: T): T | null =>
    Object.keys(o).length === 0 ? null : o;
  return {
    version: '1.0',
    resource: options.resource,
    path: request.rawPath,
    httpMethod: request.method,
    headers,
    multiValueHeaders,
    queryStringParameters: nullIfEmpty(
      Object.fromEntries([...query].map(([name, values]) => [name, values.at(-1) ?? ''])),
    ),
    multiValueQueryStringParameters: nullIfEmpty(Object.fromEntries(query)),
    requestContext: {
      accountId: options.accountId,
      apiId: options.apiId,
      domainName: options.domainName,
      domainPrefix: options.domainPrefix,
      extendedRequestId: options.requestId,
      httpMethod: request.method,
      identity: {
        accessKey: null,
        accountId: null,
        caller: null,
        cognitoAuthenticationProvider: null,
        cognitoAuthenticationType: null,
        cognitoIdentityId: null,
        cognitoIdentityPoolId: null,
        principalOrgId: null,
        sourceIp: request.sourceIp,
        user: null,
        userAgent: headerValue(request, 'user-agent') ?? '',
        userArn: null,
      },
      path: request.rawPath,
      protocol: request.protocol,
      requestId: options.requestId,
      requestTime: requestTime(request.receivedAt),
      requestTimeEpoch: request.receivedAt,
      resourceId: options.routeKey,
      resourcePath: options.resource,
      stage: options.stage,
    },
    pathParameters: nullIfEmpty({ ...options.pathParameters }),
    stageVariables: nullIfEmpty({ ...options.stageVariables }),
    body: body ?? null,
    isBase64Encoded,
  };
}

/**
 * The HTTP response of a 1.0 result (`statusCode`, `headers`, `multiValueHeaders`, `body`,
 * `isBase64Encoded`), or undefined when it is not one.
 */
export function responseFromV1(payload: Buffer): HttpResponse | undefined {
  const value = parseJson(payload)?.value;
  if (!isRecord(value)) {
    return undefined;
  }
  const { statusCode } = value;
  if (
    typeof statusCode !== 'number' ||
    !Number.isInteger(statusCode) ||
    statusCode < 100 ||
    statusCode > 599
  ) {
    return undefined;
  }
  const headers = headerMap(value.headers);
  const multi = multiValueHeaderMap(value.multiValueHeaders);
  const body = bodyOf(value.body, value.isBase64Encoded);
  if (headers === undefined || multi === undefined || body === undefined) {
    return undefined;
  }
  for (const [name, values] of Object.entries(multi)) {
    const single = headers[name];
    const merged = single === undefined ? values : [single, ...values].flat();
    headers[name] = merged.length === 1 ? (merged[0] ?? '') : merged;
  }
  headers['content-type'] ??= 'application/json';
  return { statusCode, headers, body };
}

/** `multiValueHeaders`: lower-case names, each a list of scalars. */
export function multiValueHeaderMap(value: unknown): Record<string, string[]> | undefined {
  if (value === undefined || value === null) {
    return {};
  }
  if (!isRecord(value)) {
    return undefined;
  }
  const headers: Record<string, string[]> = {};
  for (const [name, list] of Object.entries(value)) {
    if (!Array.isArray(list)) {
      return undefined;
    }
    const values: unknown[] = list;
    const texts = values.map(scalarText);
    if (texts.some((t) => t === undefined)) {
      return undefined;
    }
    headers[name.toLowerCase()] = texts as string[];
  }
  return headers;
}
