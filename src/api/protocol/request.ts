/**
 * restJson1 requests: the request target split into path segments and query, the body read under
 * a size limit, and JSON bodies parsed (spec §1.1).
 */
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { ServiceError, invalidRequestContent } from '../../core/errors.js';
import type { RequestContext } from './sigv4.js';

/** The path and query of a request target, both still percent-encoded. */
export interface RequestTarget {
  readonly rawPath: string;
  readonly rawQuery: string;
}

/** Splits `req.url` (origin form, or absolute form as proxies send it) at the `?`. */
export function splitTarget(url: string): RequestTarget {
  let target = url;
  if (!target.startsWith('/')) {
    const parsed = URL.canParse(target) ? new URL(target) : undefined;
    target = parsed === undefined ? `/${target}` : parsed.pathname + parsed.search;
  }
  const q = target.indexOf('?');
  return q < 0
    ? { rawPath: target, rawQuery: '' }
    : { rawPath: target.slice(0, q), rawQuery: target.slice(q + 1) };
}

/**
 * The path's segments, each percent-decoded exactly once (clients encode labels: an ARN arrives as
 * `arn%3Aaws%3Alambda…`, `$LATEST` as `%24LATEST`). Splitting happens before decoding, so an
 * encoded `/` stays inside its label. A trailing slash is ignored: botocore's model spells some
 * paths with one (`/2015-03-31/functions/`), the JS SDK's without.
 */
export function pathSegments(rawPath: string): string[] {
  const end = rawPath.length > 1 && rawPath.endsWith('/') ? rawPath.length - 1 : rawPath.length;
  const segments = rawPath.slice(1, end).split('/');
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i];
    if (segment?.includes('%') === true) {
      try {
        segments[i] = decodeURIComponent(segment);
      } catch {
        throw new ServiceError(
          'ValidationException',
          400,
          `Malformed percent-encoding in the request path segment '${segment}'`,
        );
      }
    }
  }
  return segments;
}

/** A request as an operation sees it. */
export class ApiRequest {
  readonly context: RequestContext;
  readonly headers: IncomingHttpHeaders;
  /** Form-decoded query parameters (repeated names, such as `tagKeys`, via `getAll`). */
  readonly query: URLSearchParams;
  /** The body as received; empty for operations that take none. */
  readonly body: Buffer;
  /** The parsed JSON object of operations with a JSON body; undefined for the others. */
  readonly json: Readonly<Record<string, unknown>> | undefined;
  readonly #labels: Readonly<Record<string, string>>;

  constructor(init: {
    context: RequestContext;
    headers: IncomingHttpHeaders;
    query: URLSearchParams;
    labels: Readonly<Record<string, string>>;
    body: Buffer;
    json: Readonly<Record<string, unknown>> | undefined;
  }) {
    this.context = init.context;
    this.headers = init.headers;
    this.query = init.query;
    this.#labels = init.labels;
    this.body = init.body;
    this.json = init.json;
  }

  /** A decoded path label of the route, such as `FunctionName`. */
  label(name: string): string {
    const value = this.#labels[name];
    if (value === undefined) {
      throw new Error(`route has no path label {${name}}`);
    }
    return value;
  }

  /** A request header by its lower-case name. */
  header(name: string): string | undefined {
    const value = this.headers[name];
    return Array.isArray(value) ? value.join(', ') : value;
  }

  /** A query parameter, undefined when absent (an empty value is kept: the operation validates it). */
  queryParam(name: string): string | undefined {
    return this.query.get(name) ?? undefined;
  }
}

/** The largest body an operation accepts, and the operation name AWS quotes in its 413 text. */
export interface BodyLimit {
  readonly bytes: number;
  readonly operation: string;
}

/**
 * 413 for a body over its limit. Its own class because the rest of that body is still on the wire
 * when it is thrown, and has to be dealt with after the answer.
 */
export class BodyTooLargeError extends ServiceError {
  constructor(limit: BodyLimit) {
    super(
      'RequestEntityTooLargeException',
      413,
      `Request must be smaller than ${limit.bytes} bytes for the ${limit.operation} operation`,
    );
  }
}

const EMPTY = Buffer.alloc(0);

/**
 * Reads the whole body, enforcing the limit while reading: a declared Content-Length over the
 * limit is refused before a byte is read, and a chunked body is refused as soon as it grows past
 * it, so an oversized upload is never buffered. Chunks are copied once, into the final buffer
 * (not at all when the body arrives in one chunk).
 */
export function readBody(req: IncomingMessage, limit: BodyLimit): Promise<Buffer> {
  const declared = req.headers['content-length'];
  if (declared !== undefined && Number(declared) > limit.bytes) {
    return Promise.reject(new BodyTooLargeError(limit));
  }
  if (declared === '0') {
    return Promise.resolve(EMPTY);
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const cleanup = (): void => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onCutShort);
      req.off('close', onCutShort);
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limit.bytes) {
        // The stream stays in flowing mode without listeners, so what follows is discarded.
        cleanup();
        chunks.length = 0;
        reject(new BodyTooLargeError(limit));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => {
      cleanup();
      resolve(
        chunks.length === 1 && chunks[0] !== undefined ? chunks[0] : Buffer.concat(chunks, size),
      );
    };
    // A body cut short is the client's doing (it aborted, or the connection broke), not a fault
    // here; if anyone is still listening, it gets a 400.
    const onCutShort = (): void => {
      cleanup();
      reject(invalidRequestContent('The request body ended before all of it was received'));
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onCutShort);
    req.on('close', onCutShort);
  });
}

/**
 * Parses a restJson1 body: empty means `{}` (clients may send either when no member is set), and
 * anything else must be a JSON object.
 */
export function parseJsonBody(body: Buffer): Readonly<Record<string, unknown>> {
  if (body.length === 0) {
    return {};
  }
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8'));
  } catch (error) {
    throw invalidRequestContent(
      `Could not parse request body into json: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalidRequestContent(
      'Could not parse request body into json: the request body must be a JSON object',
    );
  }
  return value as Record<string, unknown>;
}
