/**
 * What a trigger answers: status, headers (lower-case names; Set-Cookie as a list) and body,
 * mapped from a function's result or made by the front end itself.
 */
import type { ServerResponse } from 'node:http';

export interface HttpResponse {
  readonly statusCode: number;
  readonly headers: Record<string, string | string[]>;
  readonly body: Buffer;
  /** The reason phrase, when not the standard one (an ALB target's statusDescription). */
  readonly statusMessage?: string;
}

/** A response made by the front end, not the function: JSON, as AWS's own answers are. */
export function frontEndResponse(
  statusCode: number,
  body: string,
  errorType?: string,
): HttpResponse {
  return {
    statusCode,
    headers: {
      'content-type': 'application/json',
      ...(errorType !== undefined && { 'x-amzn-errortype': errorType }),
    },
    body: Buffer.from(body),
  };
}

/**
 * Writes a response with an exact Content-Length. A header the function set that Node refuses
 * (an invalid name or value) is reported as false, so the caller can answer its error instead.
 */
export function writeResponse(res: ServerResponse, response: HttpResponse): boolean {
  const headers = { ...response.headers, 'content-length': String(response.body.length) };
  try {
    if (response.statusMessage === undefined) {
      res.writeHead(response.statusCode, headers);
    } else {
      res.writeHead(response.statusCode, response.statusMessage, headers);
    }
  } catch {
    return false;
  }
  res.end(response.body);
  return true;
}
