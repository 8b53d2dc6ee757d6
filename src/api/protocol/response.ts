/**
 * restJson1 responses: what an operation returns (a Reply) and how it, or a ServiceError, goes on
 * the wire. Every response carries `x-amzn-RequestId`, which both SDKs surface as the request id.
 */
import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ServiceError } from '../../core/errors.js';

/**
 * An operation's answer: status, optional body and extra headers. A Readable body is streamed
 * (chunked) as it is produced: the head goes out at once, each piece as soon as it is written.
 */
export interface Reply {
  readonly statusCode: number;
  readonly body?: Buffer | string | Readable;
  /** Set whenever there is a body. */
  readonly contentType?: string;
  readonly headers?: Readonly<Record<string, string>>;
}

export const JSON_CONTENT_TYPE = 'application/json';

/**
 * A JSON reply. JSON.stringify drops undefined members, which is how absent members are omitted
 * instead of being sent as null.
 */
export function jsonReply(statusCode: number, value: unknown): Reply {
  return { statusCode, body: JSON.stringify(value), contentType: JSON_CONTENT_TYPE };
}

/** A reply without a body (204 deletes and tag operations). */
export function emptyReply(statusCode: number): Reply {
  return { statusCode };
}

/**
 * Writes a reply in one `writeHead` + `end`, with an exact Content-Length so that Node never
 * switches to chunked encoding; a streamed body is piped, and the promise settles when it ends.
 */
export function writeReply(
  res: ServerResponse,
  requestId: string,
  reply: Reply,
): Promise<void> | undefined {
  const headers: OutgoingHttpHeaders = { 'x-amzn-RequestId': requestId };
  if (reply.headers !== undefined) {
    Object.assign(headers, reply.headers);
  }
  const body = reply.statusCode === 204 ? undefined : reply.body;
  if (body instanceof Readable) {
    if (reply.contentType !== undefined) {
      headers['Content-Type'] = reply.contentType;
    }
    res.writeHead(reply.statusCode, headers);
    res.flushHeaders();
    // Small pieces must leave at once, not wait for Nagle's algorithm.
    res.socket?.setNoDelay(true);
    return pipeline(body, res);
  }
  if (body === undefined) {
    // A 204 must not carry Content-Length (RFC 9110 §8.6); anything else says its body is empty.
    if (reply.statusCode !== 204) {
      headers['Content-Length'] = 0;
    }
    res.writeHead(reply.statusCode, headers);
    res.end();
    return undefined;
  }
  if (reply.contentType !== undefined) {
    headers['Content-Type'] = reply.contentType;
  }
  headers['Content-Length'] = typeof body === 'string' ? Buffer.byteLength(body) : body.length;
  res.writeHead(reply.statusCode, headers);
  res.end(body);
  return undefined;
}

/**
 * AWS's error format (spec §1.2): the exception's status, `x-amzn-ErrorType: <name>` (the header
 * both SDKs read first), and a body `{"Type": "User" | "Service", "<message|Message>": …, …fields}`
 * whose message key follows the modeled member of that exception. Extra headers such as
 * `Retry-After` come from the error.
 */
export function errorReply(error: ServiceError): Reply {
  const body: Record<string, unknown> = {
    Type: error.fault === 'server' ? 'Service' : 'User',
    [error.messageKey]: error.message,
    ...error.fields,
  };
  return {
    statusCode: error.statusCode,
    body: JSON.stringify(body),
    contentType: JSON_CONTENT_TYPE,
    headers: { ...error.headers, 'x-amzn-ErrorType': error.code },
  };
}
