/**
 * CORS for function URLs, from the URL config's Cors: the front end answers preflight requests
 * itself, without invoking the function, and sets the CORS headers of actual responses, replacing
 * any the function set.
 * https://docs.aws.amazon.com/lambda/latest/dg/urls-configuration.html#urls-cors
 */
import type { FunctionUrlCors } from '../store/sqlite/function-config-tables.js';
import type { HttpResponse } from './http-response.js';

/** A preflight is an OPTIONS with Access-Control-Request-Method (and, from a browser, Origin). */
export function isPreflight(method: string, requestMethod: string | undefined): boolean {
  return method === 'OPTIONS' && requestMethod !== undefined;
}

/**
 * The preflight's answer: 200 with the config's permissions when the origin is allowed, and
 * without any CORS header otherwise (the browser then refuses the actual request).
 */
export function preflightResponse(cors: FunctionUrlCors, origin: string): HttpResponse {
  const headers: Record<string, string> = {};
  const allowed = allowedOrigin(cors, origin);
  if (allowed !== undefined) {
    headers['access-control-allow-origin'] = allowed;
    setList(headers, 'access-control-allow-methods', cors.AllowMethods);
    setList(headers, 'access-control-allow-headers', cors.AllowHeaders);
    setList(headers, 'access-control-expose-headers', cors.ExposeHeaders);
    if (cors.MaxAge !== undefined) {
      headers['access-control-max-age'] = String(cors.MaxAge);
    }
    if (cors.AllowCredentials === true) {
      headers['access-control-allow-credentials'] = 'true';
    }
    headers.vary = 'Origin';
  }
  return { statusCode: 200, headers, body: Buffer.alloc(0) };
}

/** An actual response with the config's CORS headers in place of the function's own. */
export function withCors(
  response: HttpResponse,
  cors: FunctionUrlCors,
  origin: string | undefined,
): HttpResponse {
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(response.headers)) {
    if (!name.startsWith('access-control-')) {
      headers[name] = value;
    }
  }
  const allowed = origin === undefined ? undefined : allowedOrigin(cors, origin);
  if (allowed !== undefined) {
    headers['access-control-allow-origin'] = allowed;
    setList(headers, 'access-control-expose-headers', cors.ExposeHeaders);
    if (cors.AllowCredentials === true) {
      headers['access-control-allow-credentials'] = 'true';
    }
    const vary = headers.vary;
    headers.vary = typeof vary === 'string' && vary !== '' ? `${vary}, Origin` : 'Origin';
  }
  return { ...response, headers };
}

/**
 * The Access-Control-Allow-Origin for this origin: `*` when every origin is allowed (the origin
 * itself when credentials are, since browsers refuse `*` with credentials), else the origin when
 * it is listed, else undefined.
 */
function allowedOrigin(cors: FunctionUrlCors, origin: string): string | undefined {
  const origins = cors.AllowOrigins ?? [];
  if (origins.includes('*')) {
    return cors.AllowCredentials === true ? origin : '*';
  }
  const wanted = origin.toLowerCase();
  return origins.some((o) => o.toLowerCase() === wanted) ? origin : undefined;
}

function setList(
  headers: Record<string, string | string[]>,
  name: string,
  values: readonly string[] | undefined,
): void {
  if (values !== undefined && values.length > 0) {
    headers[name] = values.join(',');
  }
}
