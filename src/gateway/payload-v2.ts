/**
 * The payload format 2.0 event (spec §4.2), shared by function URLs and API Gateway HTTP APIs:
 * what differs between them (route key, API id, stage, authorizer) comes in as options.
 * https://docs.aws.amazon.com/lambda/latest/dg/urls-invocation.html#urls-payloads
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html
 */
import { encodeBody } from './body-encoding.js';
import { headerValue, proxiedHeaders, type HttpRequest } from './http-request.js';
import { requestTime } from './request-time.js';

/** `requestContext.authorizer.iam` of a function URL with AuthType AWS_IAM. */
export interface IamAuthorizer {
  readonly accessKey: string;
  readonly accountId: string;
  readonly callerId: string;
  readonly cognitoIdentity: null;
  readonly principalOrgId: null;
  readonly userArn: string;
  readonly userId: string;
}

export interface PayloadV2Options {
  /** `$default` for function URLs, `GET /items/{id}` for a matched route. */
  readonly routeKey: string;
  /** The URL id or the HTTP API id. */
  readonly apiId: string;
  /** `$default` or the stage name. */
  readonly stage: string;
  readonly domainName: string;
  readonly domainPrefix: string;
  readonly pathParameters?: Readonly<Record<string, string>>;
  readonly stageVariables?: Readonly<Record<string, string>>;
  /** `anonymous` for an unauthenticated function URL, else the caller's account. */
  readonly accountId: string;
  readonly authorizer?: { readonly iam: IamAuthorizer };
  readonly requestId: string;
}

export interface PayloadV2Event {
  readonly version: '2.0';
  readonly routeKey: string;
  readonly rawPath: string;
  readonly rawQueryString: string;
  readonly cookies?: string[];
  readonly headers: Record<string, string>;
  readonly queryStringParameters?: Record<string, string>;
  readonly pathParameters?: Readonly<Record<string, string>>;
  readonly stageVariables?: Readonly<Record<string, string>>;
  readonly requestContext: {
    readonly accountId: string;
    readonly apiId: string;
    readonly authorizer?: { readonly iam: IamAuthorizer };
    readonly domainName: string;
    readonly domainPrefix: string;
    readonly http: {
      readonly method: string;
      readonly path: string;
      readonly protocol: string;
      readonly sourceIp: string;
      readonly userAgent: string;
    };
    readonly requestId: string;
    readonly routeKey: string;
    readonly stage: string;
    readonly time: string;
    readonly timeEpoch: number;
  };
  readonly body?: string;
  readonly isBase64Encoded: boolean;
}

/** Builds the 2.0 event of a request. */
export function payloadV2Event(request: HttpRequest, options: PayloadV2Options): PayloadV2Event {
  const cookies: string[] = [];
  const headers: Record<string, string> = {};
  for (const [name, value] of proxiedHeaders(request)) {
    if (name === 'cookie') {
      // Cookies travel in their own member and are not repeated in headers.
      cookies.push(...splitCookies(value));
    } else {
      const seen = headers[name];
      headers[name] = seen === undefined ? value : `${seen},${value}`;
    }
  }
  const query = queryParameters(request.rawQueryString);
  const { body, isBase64Encoded } = encodeBody(request.body, headerValue(request, 'content-type'));
  return {
    version: '2.0',
    routeKey: options.routeKey,
    rawPath: request.rawPath,
    rawQueryString: request.rawQueryString,
    ...(cookies.length > 0 && { cookies }),
    headers,
    ...(query.size > 0 && { queryStringParameters: joinValues(query) }),
    ...(options.pathParameters !== undefined && { pathParameters: options.pathParameters }),
    ...(options.stageVariables !== undefined && { stageVariables: options.stageVariables }),
    requestContext: {
      accountId: options.accountId,
      apiId: options.apiId,
      ...(options.authorizer !== undefined && { authorizer: options.authorizer }),
      domainName: options.domainName,
      domainPrefix: options.domainPrefix,
      http: {
        method: request.method,
        path: decodePath(request.rawPath),
        protocol: request.protocol,
        sourceIp: request.sourceIp,
        userAgent: headerValue(request, 'user-agent') ?? '',
      },
      requestId: options.requestId,
      routeKey: options.routeKey,
      stage: options.stage,
      time: requestTime(request.receivedAt),
      timeEpoch: request.receivedAt,
    },
    ...(body !== undefined && { body }),
    isBase64Encoded,
  };
}

/** `a=1; b=2` → `["a=1", "b=2"]`. */
function splitCookies(header: string): string[] {
  return header
    .split(';')
    .map((c) => c.trim())
    .filter((c) => c !== '');
}

/** Every value of every query parameter, decoded, in the order sent (`a=1&a=2` → a: [1, 2]). */
export function queryParameters(rawQueryString: string): Map<string, string[]> {
  const params = new Map<string, string[]>();
  if (rawQueryString === '') {
    return params;
  }
  for (const pair of rawQueryString.split('&')) {
    if (pair === '') {
      continue;
    }
    const eq = pair.indexOf('=');
    const name = decodeQueryPart(eq < 0 ? pair : pair.slice(0, eq));
    const value = eq < 0 ? '' : decodeQueryPart(pair.slice(eq + 1));
    const values = params.get(name);
    if (values === undefined) {
      params.set(name, [value]);
    } else {
      values.push(value);
    }
  }
  return params;
}

function joinValues(params: Map<string, string[]>): Record<string, string> {
  const joined: Record<string, string> = {};
  for (const [name, values] of params) {
    joined[name] = values.join(',');
  }
  return joined;
}

function decodeQueryPart(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return text;
  }
}

/** A percent-encoded path decoded, or as sent when it does not decode. */
export function decodePath(rawPath: string): string {
  try {
    return decodeURIComponent(rawPath);
  } catch {
    return rawPath;
  }
}
