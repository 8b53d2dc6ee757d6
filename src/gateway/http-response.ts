/**
 * What a trigger answers: status, headers (lower-case names; Set-Cookie as a list) and body,
 * mapped from a function's result or made by the front end itself. A Readable body is a streamed
 * response (a function URL in RESPONSE_STREAM mode).
 */
import type { ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

export interface HttpResponse {
  readonly statusCode: number;
  readonly headers: Record<string, string | string[]>;
  readonly body: Buffer | Readable;
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

/** Headers that describe the connection or the framing, which this server decides, not the function. */
const FRAMING = new Set([
  'connection',
  'content-length',
  'keep-alive',
  'transfer-encoding',
  'upgrade',
]);

/**
 * Writes a response with an exact Content-Length (none for the statuses that carry no body), or,
 * for a streamed body, chunked with each piece sent as it comes. A header the function set that
 * Node refuses (an invalid name or value) is reported as false, so the caller can answer its
 * error instead.
 */
export function writeResponse(res: ServerResponse, response: HttpResponse): boolean {
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(response.headers)) {
    if (!FRAMING.has(name)) {
      headers[name] = value;
    }
  }
  const { statusCode, body } = response;
  const bodiless = statusCode === 204 || statusCode === 304 || statusCode < 200;
  const streamed = body instanceof Readable;
  if (!bodiless && !streamed) {
    headers['content-length'] = String(body.length);
  }
  try {
    if (response.statusMessage === undefined) {
      res.writeHead(statusCode, headers);
    } else {
      res.writeHead(statusCode, response.statusMessage, headers);
    }
  } catch {
    if (streamed) {
      body.destroy();
    }
    return false;
  }
  if (!streamed) {
    res.end(bodiless ? undefined : body);
  } else if (bodiless) {
    body.destroy();
    res.end();
  } else {
    res.flushHeaders();
    // Small pieces must leave at once, not wait for Nagle's algorithm.
    res.socket?.setNoDelay(true);
    // A body cut short (the function failed after its head went out) cuts the connection, so
    // the client sees an incomplete response rather than a complete one.
    pipeline(body, res).catch(() => undefined);
  }
  return true;
}
