/**
 * The payload format 2.0 response mapping (spec §4.2), shared by function URLs and HTTP APIs: an
 * object with `statusCode` says everything itself; any other result is a 200 JSON body.
 * https://docs.aws.amazon.com/lambda/latest/dg/urls-invocation.html#urls-response-payload
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html#http-api-develop-integrations-lambda.response
 */
import type { HttpResponse } from './http-response.js';

/** The HTTP response a function's result stands for, or undefined when the result is malformed. */
export function responseFromV2(payload: Buffer): HttpResponse | undefined {
  const result = parseJson(payload);
  if (result === undefined) {
    return undefined;
  }
  const { value } = result;
  if (!isRecord(value) || !('statusCode' in value)) {
    // A returned string is the body itself; anything else is sent as the JSON it is.
    const body = typeof value === 'string' ? Buffer.from(value) : payload;
    return { statusCode: 200, headers: { 'content-type': 'application/json' }, body };
  }
  const r = value;
  const { statusCode } = r;
  if (typeof statusCode !== 'number' || !Number.isInteger(statusCode)) {
    return undefined;
  }
  if (statusCode < 100 || statusCode > 599) {
    return undefined;
  }
  const headers = headerMap(r.headers);
  const cookies = stringList(r.cookies);
  const body = bodyOf(r.body, r.isBase64Encoded);
  if (headers === undefined || cookies === undefined || body === undefined) {
    return undefined;
  }
  headers['content-type'] ??= 'application/json';
  if (cookies.length > 0) {
    headers['set-cookie'] = cookies;
  }
  return { statusCode, headers, body };
}

/** The result as JSON, boxed so that a result of `null` is told apart from no JSON at all. */
export function parseJson(payload: Buffer): { readonly value: unknown } | undefined {
  try {
    return { value: JSON.parse(payload.toString('utf8')) as unknown };
  } catch {
    return undefined;
  }
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `headers`: names lower-cased, numbers and booleans as text (API Gateway accepts both). */
export function headerMap(value: unknown): Record<string, string | string[]> | undefined {
  if (value === undefined || value === null) {
    return {};
  }
  if (typeof value !== 'object' || Array.isArray(value)) {
    return undefined;
  }
  const headers: Record<string, string | string[]> = {};
  for (const [name, v] of Object.entries(value)) {
    const text = scalarText(v);
    if (text === undefined) {
      return undefined;
    }
    headers[name.toLowerCase()] = text;
  }
  return headers;
}

export function scalarText(v: unknown): string | undefined {
  return typeof v === 'string'
    ? v
    : typeof v === 'number' || typeof v === 'boolean'
      ? String(v)
      : undefined;
}

export function stringList(value: unknown): string[] | undefined {
  if (value === undefined || value === null) {
    return [];
  }
  if (!Array.isArray(value)) {
    return undefined;
  }
  const list: unknown[] = value;
  return list.every((v) => typeof v === 'string') ? list : undefined;
}

/** `body` (absent is empty), decoded from base64 when `isBase64Encoded` is true. */
export function bodyOf(body: unknown, isBase64Encoded: unknown): Buffer | undefined {
  if (body === undefined || body === null) {
    return Buffer.alloc(0);
  }
  if (typeof body !== 'string') {
    return undefined;
  }
  return isBase64Encoded === true ? Buffer.from(body, 'base64') : Buffer.from(body);
}
