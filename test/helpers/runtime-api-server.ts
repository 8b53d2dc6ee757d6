/**
 * A small, faithful Lambda Runtime API (2018-06-01) server for testing runtime bootstraps as
 * real processes (spec §2.1–§2.3). It serves one execution environment: `invoke()` queues an
 * event, the runtime's long-polled `GET /next` receives it with the §2.2 headers, and the
 * runtime's `/response` or `/error` settles the invoke. Everything the runtime sends is recorded.
 */
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { IncomingHttpHeaders, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

const PREFIX = '/2018-06-01/runtime';

export interface InvokeOptions {
  readonly requestId?: string;
  /** Epoch milliseconds; default now + 30 s. */
  readonly deadlineMs?: number;
  readonly invokedFunctionArn?: string;
  readonly traceId?: string;
  /** Decoded JSON of X-Amz-Client-Context. */
  readonly clientContext?: string;
  readonly cognitoIdentity?: string;
  readonly tenantId?: string;
  /**
   * Closes the runtime's connection once the event is delivered: `announced` with
   * `Connection: close`, `silently` by dropping it (as an idle keep-alive timeout does).
   */
  readonly closeConnection?: 'announced' | 'silently';
}

/** What the runtime posted for one invocation (or for init). */
export interface RuntimeReply {
  readonly kind: 'response' | 'error' | 'init-error';
  readonly requestId: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
  /** HTTP trailers (streamed responses carry mid-stream errors in them, §2.4). */
  readonly trailers: NodeJS.Dict<string>;
  /** The body as it arrived, chunk by chunk: a streamed response arrives in pieces. */
  readonly chunks: readonly Buffer[];
  /** performance.now() when the post arrived. */
  readonly at: number;
}

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
  readonly trailers: NodeJS.Dict<string>;
  readonly chunks: readonly Buffer[];
  /** 'tcp' or 'unix': which listener the request came through. */
  readonly via: 'tcp' | 'unix';
}

interface PendingInvocation {
  readonly requestId: string;
  readonly payload: Buffer;
  readonly headers: Record<string, string>;
  readonly closeConnection: InvokeOptions['closeConnection'];
  readonly settle: (reply: RuntimeReply) => void;
}

export class RuntimeApiServer {
  readonly requests: RecordedRequest[] = [];
  /** Number of connections the runtime opened, per listener. */
  readonly connections = { tcp: 0, unix: 0 };
  #queue: PendingInvocation[] = [];
  #inFlight = new Map<string, PendingInvocation>();
  #answered = new Set<string>();
  #parkedNext: ServerResponse[] = [];
  #nextWaiters: ((at: number) => void)[] = [];
  #initErrorWaiters: ((reply: RuntimeReply) => void)[] = [];
  #initError: RuntimeReply | undefined;
  #servers: Server[] = [];
  #sockets = new Set<Socket>();
  #port = 0;

  /** Listens on 127.0.0.1:0 and, if given, on a Unix socket at `socketPath`. */
  static async start(options: { socketPath?: string } = {}): Promise<RuntimeApiServer> {
    const server = new RuntimeApiServer();
    const tcp = server.#listener('tcp');
    tcp.listen(0, '127.0.0.1');
    await once(tcp, 'listening');
    server.#port = (tcp.address() as AddressInfo).port;
    if (options.socketPath !== undefined) {
      const unix = server.#listener('unix');
      unix.listen(options.socketPath);
      await once(unix, 'listening');
    }
    return server;
  }

  /** The `host:port` value for AWS_LAMBDA_RUNTIME_API. */
  get address(): string {
    return `127.0.0.1:${this.#port}`;
  }

  /** Hands an event to the runtime and resolves with what it posted back. */
  invoke(event: unknown, options: InvokeOptions = {}): Promise<RuntimeReply> {
    const requestId = options.requestId ?? randomUUID();
    const payload = Buffer.isBuffer(event) ? event : Buffer.from(JSON.stringify(event));
    const headers: Record<string, string> = {
      'Content-Type': 'application/json',
      'Lambda-Runtime-Aws-Request-Id': requestId,
      'Lambda-Runtime-Deadline-Ms': String(options.deadlineMs ?? Date.now() + 30_000),
      'Lambda-Runtime-Invoked-Function-Arn':
        options.invokedFunctionArn ?? 'arn:aws:lambda:us-east-1:123456789012:function:test',
    };
    // Headers without a value are omitted, as RIE does.
    const optional: [string, string | undefined][] = [
      ['Lambda-Runtime-Trace-Id', options.traceId],
      ['Lambda-Runtime-Client-Context', options.clientContext],
      ['Lambda-Runtime-Cognito-Identity', options.cognitoIdentity],
      ['Lambda-Runtime-Aws-Tenant-Id', options.tenantId],
    ];
    for (const [name, value] of optional) {
      if (value !== undefined) {
        headers[name] = value;
      }
    }
    return new Promise((settle) => {
      const { closeConnection } = options;
      this.#queue.push({ requestId, payload, headers, closeConnection, settle });
      this.#dispatch();
    });
  }

  /** Resolves with performance.now() at the next time the runtime waits on GET /next. */
  nextPolled(): Promise<number> {
    return new Promise((resolve) => this.#nextWaiters.push(resolve));
  }

  /** Resolves with the runtime's POST /init/error. */
  initError(): Promise<RuntimeReply> {
    if (this.#initError !== undefined) {
      return Promise.resolve(this.#initError);
    }
    return new Promise((resolve) => this.#initErrorWaiters.push(resolve));
  }

  async close(): Promise<void> {
    for (const res of this.#parkedNext) {
      res.destroy();
    }
    for (const socket of this.#sockets) {
      socket.destroy();
    }
    await Promise.all(
      this.#servers.map(
        (server) =>
          new Promise<void>((resolve) => {
            server.close(() => {
              resolve();
            });
          }),
      ),
    );
  }

  #listener(via: 'tcp' | 'unix'): Server {
    const server = createServer((req, res) => {
      this.#onRequest(via, req, res);
    });
    // /next is a long poll that must never time out (§2.1).
    server.requestTimeout = 0;
    server.headersTimeout = 0;
    server.keepAliveTimeout = 0;
    server.on('connection', (socket: Socket) => {
      this.connections[via]++;
      this.#sockets.add(socket);
      socket.on('close', () => this.#sockets.delete(socket));
    });
    this.#servers.push(server);
    return server;
  }

  #onRequest(via: 'tcp' | 'unix', req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const request: RecordedRequest = {
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks),
        trailers: req.trailers,
        chunks,
        via,
      };
      this.requests.push(request);
      this.#route(request, res);
    });
  }

  #route(request: RecordedRequest, res: ServerResponse): void {
    const { method, path, headers, body, trailers, chunks } = request;
    if (method === 'GET' && path === `${PREFIX}/invocation/next`) {
      this.#parkedNext.push(res);
      for (const waiter of this.#nextWaiters.splice(0)) {
        waiter(performance.now());
      }
      this.#dispatch();
      return;
    }
    if (method === 'POST' && path === `${PREFIX}/init/error`) {
      const reply: RuntimeReply = {
        kind: 'init-error',
        requestId: '',
        headers,
        body,
        trailers,
        chunks,
        at: performance.now(),
      };
      this.#initError = reply;
      for (const waiter of this.#initErrorWaiters.splice(0)) {
        waiter(reply);
      }
      reply202(res);
      return;
    }
    const match = /^\/2018-06-01\/runtime\/invocation\/([^/]+)\/(response|error)$/.exec(path);
    if (method === 'POST' && match !== null) {
      const requestId = decodeURIComponent(match[1] ?? '');
      const invocation = this.#inFlight.get(requestId);
      if (invocation === undefined || this.#answered.has(requestId)) {
        sendJson(res, 400, { errorMessage: 'Invalid request ID', errorType: 'InvalidRequestID' });
        return;
      }
      this.#answered.add(requestId);
      this.#inFlight.delete(requestId);
      reply202(res);
      invocation.settle({
        kind: match[2] === 'response' ? 'response' : 'error',
        requestId,
        headers,
        body,
        trailers,
        chunks,
        at: performance.now(),
      });
      return;
    }
    sendJson(res, 404, { errorMessage: 'Not found', errorType: 'NotFound' });
  }

  #dispatch(): void {
    while (this.#queue.length > 0 && this.#parkedNext.length > 0) {
      const invocation = this.#queue.shift();
      const res = this.#parkedNext.shift();
      if (invocation === undefined || res === undefined) {
        return;
      }
      this.#inFlight.set(invocation.requestId, invocation);
      const headers: Record<string, string | number> = {
        ...invocation.headers,
        'Content-Length': invocation.payload.length,
      };
      if (invocation.closeConnection === 'announced') {
        headers.Connection = 'close';
      }
      res.writeHead(200, headers);
      const socket = res.socket;
      res.end(invocation.payload, () => {
        if (invocation.closeConnection === 'silently') {
          socket?.destroy();
        }
      });
    }
  }
}

function reply202(res: ServerResponse): void {
  sendJson(res, 202, { status: 'OK' });
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(text),
  });
  res.end(text);
}
