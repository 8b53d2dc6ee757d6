/**
 * An HTTP request as the gateway's event builders see it: captured once from the socket, with the
 * trigger's address already taken off the path, so that every payload format (2.0, 1.0, ALB) is a
 * pure function of it.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { TriggerAddress } from './trigger-address.js';

export interface HttpRequest {
  readonly method: string;
  /** The path the target sees, still percent-encoded (`/lambda-url/<id>` of the path form removed). */
  readonly rawPath: string;
  /** The query without `?`, still percent-encoded. */
  readonly rawQueryString: string;
  /** Header names in lower case with their values, in the order sent (repeats kept). */
  readonly headers: readonly (readonly [string, string])[];
  readonly body: Buffer;
  readonly sourceIp: string;
  /** `HTTP/1.1`. */
  readonly protocol: string;
  /** The server port the client connected to (X-Forwarded-Port). */
  readonly port: number;
  /** The Host header's name without its port (`<id>.lambda-url.us-east-1.localhost`). */
  readonly hostname: string;
  /** When the request arrived (ms since the epoch, from the platform's Clock). */
  readonly receivedAt: number;
}

/** Captures a request whose body has been read. */
export function captureRequest(
  req: IncomingMessage,
  address: TriggerAddress,
  body: Buffer,
  receivedAt: number,
): HttpRequest {
  const headers: [string, string][] = [];
  const raw = req.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = (raw[i] ?? '').toLowerCase();
    // HTTP/2 pseudo-headers (`:authority`, `:path`) are not headers a function sees.
    if (!name.startsWith(':')) {
      headers.push([name, raw[i + 1] ?? '']);
    }
  }
  if (req.headers.host === undefined && hostOf(req) !== '') {
    // Over HTTP/2 the host travels as `:authority`; the function sees it as Host.
    headers.unshift(['host', hostOf(req)]);
  }
  return {
    method: req.method ?? 'GET',
    rawPath: address.rawPath,
    rawQueryString: address.rawQueryString,
    headers,
    body,
    sourceIp: (req.socket.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, ''),
    protocol: `HTTP/${req.httpVersion}`,
    port: req.socket.localPort ?? 0,
    hostname: hostOf(req).replace(/:\d+$/, ''),
    receivedAt,
  };
}

/** The Host header (`:authority` over HTTP/2). */
export function hostOf(req: IncomingMessage): string {
  const host = req.headers.host ?? req.headers[':authority'];
  return typeof host === 'string' ? host : '';
}

/** The last value of a header (names in lower case), as most formats keep it. */
export function headerValue(request: HttpRequest, name: string): string | undefined {
  let value: string | undefined;
  for (const [n, v] of request.headers) {
    if (n === name) {
      value = v;
    }
  }
  return value;
}

/** A request body, or `too-large` once it passes `limit` bytes (the rest is drained, unread). */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer | 'too-large'> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limit) {
        req.off('data', onData);
        req.resume();
        resolve('too-large');
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.on('end', () => {
      resolve(Buffer.concat(chunks));
    });
    req.on('error', reject);
  });
}

/**
 * The request's headers as the function sees them behind AWS's front end: X-Forwarded-For gets
 * the client's address appended, X-Forwarded-Proto and -Port name the listener, and a request
 * without X-Amzn-Trace-Id gets one.
 */
export function proxiedHeaders(request: HttpRequest): [string, string][] {
  const headers: [string, string][] = [];
  let forwardedFor: string | undefined;
  let traceId: string | undefined;
  for (const [name, value] of request.headers) {
    if (name === 'x-forwarded-for') {
      forwardedFor = forwardedFor === undefined ? value : `${forwardedFor}, ${value}`;
    } else if (name !== 'x-forwarded-proto' && name !== 'x-forwarded-port') {
      if (name === 'x-amzn-trace-id') {
        traceId = value;
      }
      headers.push([name, value]);
    }
  }
  if (traceId === undefined) {
    headers.push(['x-amzn-trace-id', newRootTraceId(request.receivedAt)]);
  }
  headers.push(
    [
      'x-forwarded-for',
      forwardedFor === undefined ? request.sourceIp : `${forwardedFor}, ${request.sourceIp}`,
    ],
    ['x-forwarded-proto', 'http'],
    ['x-forwarded-port', String(request.port)],
  );
  return headers;
}

/** `Root=1-<epoch hex>-<24 hex>`, the trace header AWS's HTTP front ends add. */
function newRootTraceId(epochMs: number): string {
  const epoch = Math.floor(epochMs / 1000).toString(16);
  return `Root=1-${epoch}-${randomBytes(12).toString('hex')}`;
}
