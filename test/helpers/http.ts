import { createHash, createHmac } from 'node:crypto';
import { request, type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http';
import { SignatureV4 } from '@smithy/signature-v4';

export interface HttpReply {
  readonly status: number;
  readonly statusMessage: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
  readonly text: string;
  json(): unknown;
}

export interface HttpRequestOptions {
  readonly method?: string;
  readonly headers?: OutgoingHttpHeaders;
  readonly body?: Buffer | string;
}

/**
 * Sends a request for `url` to the server on 127.0.0.1 at the URL's port with the URL's host in
 * the Host header, as a client does that resolves `*.localhost` to the loopback interface (fetch
 * cannot set Host, so the host form of a trigger's address needs node:http).
 */
export function httpRequest(url: string, options: HttpRequestOptions = {}): Promise<HttpReply> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: u.port,
        method: options.method ?? 'GET',
        path: `${u.pathname}${u.search}`,
        headers: { host: u.host, ...options.headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const body = Buffer.concat(chunks);
          const text = body.toString('utf8');
          resolve({
            status: res.statusCode ?? 0,
            statusMessage: res.statusMessage ?? '',
            headers: res.headers,
            body,
            text,
            json: () => JSON.parse(text) as unknown,
          });
        });
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

type SourceData = string | ArrayBuffer | ArrayBufferView;

function bytes(data: SourceData): string | Uint8Array {
  if (typeof data === 'string') {
    return data;
  }
  return ArrayBuffer.isView(data)
    ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
    : new Uint8Array(data);
}

/** SHA-256 and HMAC-SHA-256 from node:crypto, in the shape @smithy/signature-v4 wants. */
class Sha256 {
  readonly #hash: ReturnType<typeof createHash> | ReturnType<typeof createHmac>;
  constructor(secret?: SourceData) {
    this.#hash = secret === undefined ? createHash('sha256') : createHmac('sha256', bytes(secret));
  }
  update(data: SourceData): void {
    this.#hash.update(bytes(data));
  }
  digest(): Promise<Uint8Array> {
    return Promise.resolve(new Uint8Array(this.#hash.digest()));
  }
}

/** A SigV4 signer for `lambda` in us-east-1 with the test credentials. */
export function lambdaSigner(service = 'lambda'): SignatureV4 {
  return new SignatureV4({
    service,
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'test' },
    sha256: Sha256,
  });
}

/** The headers (or presigned query) @smithy/signature-v4 adds for a request to `url`. */
export async function signRequest(
  url: string,
  options: { method?: string; body?: string; presign?: boolean; service?: string } = {},
): Promise<string | OutgoingHttpHeaders> {
  const u = new URL(url);
  const query: Record<string, string> = {};
  u.searchParams.forEach((v, k) => (query[k] = v));
  const unsigned = {
    method: options.method ?? 'GET',
    protocol: u.protocol,
    hostname: u.hostname,
    port: Number(u.port),
    path: u.pathname,
    query,
    headers: { host: u.host },
    ...(options.body !== undefined && { body: options.body }),
  };
  const signer = lambdaSigner(options.service);
  if (options.presign === true) {
    const signed = await signer.presign(unsigned, { expiresIn: 300 });
    const search = new URLSearchParams(signed.query as Record<string, string>).toString();
    return `${u.origin}${u.pathname}?${search}`;
  }
  const signed = await signer.sign(unsigned);
  return signed.headers;
}
