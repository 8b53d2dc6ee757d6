/**
 * A function URL in RESPONSE_STREAM mode (spec §2.4): the function's stream becomes the HTTP
 * response as it is written. A stream with the HTTP-integration content type
 * (`awslambda.HttpResponseStream.from`) opens with a JSON prelude `{statusCode, headers, cookies}`
 * and 8 NUL bytes, which become the status and headers; every other stream is a 200 with the
 * function's content type. The body is sent chunked, each piece as it arrives.
 * https://docs.aws.amazon.com/lambda/latest/dg/config-rs-write-functions.html
 */
import { PassThrough, type Readable } from 'node:stream';
import { forwardChunk } from '../invoke/invocation-stream.js';
import type {
  InvocationStream,
  InvocationStreamCompletion,
  InvocationStreamHead,
} from '../invoke/types.js';
import { headerMap, isRecord, parseJson, stringList } from './response-v2.js';

export const HTTP_INTEGRATION_CONTENT_TYPE = 'application/vnd.awslambda.http-integration-response';

const PRELUDE_END = Buffer.alloc(8);

/** How a streamed URL invocation begins: its HTTP head and body, or a failure before both. */
export type StreamedUrlResponse =
  | {
      readonly kind: 'response';
      readonly statusCode: number;
      /** Lower-case names; `set-cookie` as a list. */
      readonly headers: Record<string, string | string[]>;
      /** Ends with the stream; destroyed when the function fails after its head went out. */
      readonly body: Readable;
    }
  /** The function failed (or wrote an unreadable prelude) before its response began. */
  | { readonly kind: 'function-error' };

/**
 * The InvocationStream a URL invocation writes into, and `response`, which settles as soon as
 * the HTTP head is known: the prelude is complete, or the first bytes of a plain stream arrived,
 * or the invocation completed.
 */
export class UrlResponseStream implements InvocationStream {
  readonly response: Promise<StreamedUrlResponse>;
  readonly #body = new PassThrough();
  #settle: (response: StreamedUrlResponse) => void = () => undefined;
  #settled = false;
  /** Bytes of a prelude still being read; undefined for a plain stream or once it is read. */
  #prelude: Buffer | undefined;
  #contentType = 'application/octet-stream';

  constructor() {
    this.response = new Promise((resolve) => {
      this.#settle = resolve;
    });
  }

  head(head: InvocationStreamHead): void {
    this.#contentType = head.contentType;
    if (head.contentType === HTTP_INTEGRATION_CONTENT_TYPE) {
      this.#prelude = Buffer.alloc(0);
    }
  }

  chunk(bytes: Buffer, next: () => void): void {
    let rest = bytes;
    if (this.#prelude !== undefined) {
      const read = Buffer.concat([this.#prelude, bytes]);
      const end = read.indexOf(PRELUDE_END);
      if (end === -1) {
        this.#prelude = read;
        next();
        return;
      }
      this.#prelude = undefined;
      this.#begin(preludeHead(read.subarray(0, end)));
      rest = read.subarray(end + PRELUDE_END.length);
    } else if (!this.#settled) {
      this.#begin({ statusCode: 200, headers: { 'content-type': this.#contentType } });
    }
    if (rest.length === 0) {
      next();
    } else {
      forwardChunk(this.#body, rest, next);
    }
  }

  complete(completion: InvocationStreamCompletion): void {
    if (completion.errorCode !== undefined) {
      this.abort();
      return;
    }
    if (this.#prelude !== undefined) {
      // A prelude with no body after it (its 8 NUL bytes may be missing too).
      this.#begin(preludeHead(this.#prelude));
    } else {
      this.#begin({ statusCode: 200, headers: { 'content-type': this.#contentType } });
    }
    this.#body.end();
  }

  /**
   * The invocation failed: before the head that is a function error (502); after it, the
   * response can only be cut short.
   */
  abort(): void {
    this.#body.destroy();
    this.#finish({ kind: 'function-error' });
  }

  #begin(head: HttpHead | undefined): void {
    if (head === undefined) {
      this.abort();
      return;
    }
    this.#finish({ kind: 'response', ...head, body: this.#body });
  }

  #finish(response: StreamedUrlResponse): void {
    if (!this.#settled) {
      this.#settled = true;
      this.#settle(response);
    }
  }
}

interface HttpHead {
  readonly statusCode: number;
  readonly headers: Record<string, string | string[]>;
}

/**
 * The prelude's JSON as an HTTP head (status 200 when it names none); undefined when it is not a
 * prelude, or a malformed one, which the caller sees as the 502 of a malformed response.
 */
function preludeHead(bytes: Buffer): HttpHead | undefined {
  const prelude = parseJson(bytes)?.value;
  if (!isRecord(prelude)) {
    return undefined;
  }
  const statusCode = prelude.statusCode ?? 200;
  const headers = headerMap(prelude.headers);
  const cookies = stringList(prelude.cookies);
  if (
    typeof statusCode !== 'number' ||
    !Number.isInteger(statusCode) ||
    statusCode < 100 ||
    statusCode > 599 ||
    headers === undefined ||
    cookies === undefined
  ) {
    return undefined;
  }
  if (cookies.length > 0) {
    headers['set-cookie'] = cookies;
  }
  return { statusCode, headers };
}
