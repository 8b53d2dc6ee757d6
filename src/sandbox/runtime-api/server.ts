import { chmod, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { InvokeRequest } from '../types.js';
import { handleInitError } from './init-error.js';
import { handleInvocationAnswer } from './invocation-response.js';
import { handleNext } from './next.js';
import { reply, RuntimeApiSession, type RuntimeApiHooks } from './session.js';
import { handleSpecialization } from './specialization.js';

const INVOCATION_PREFIX = '/2018-06-01/runtime/invocation/';
const NEXT_PATH = '/2018-06-01/runtime/invocation/next';
const INIT_ERROR_PATH = '/2018-06-01/runtime/init/error';
const SPECIALIZATION_PATH = '/fogbank/specialization';

/** Where a Runtime API listens: a Unix socket (namespace sandboxes) or a loopback TCP port. */
export type RuntimeApiAddress = { readonly socketPath: string } | { readonly host: string };

/**
 * The Lambda Runtime API (2018-06-01) of one execution environment, on its own listener so
 * that only that environment can reach it (spec §2.1–§2.3).
 */
export class RuntimeApi {
  readonly #session: RuntimeApiSession;
  readonly #server: Server;
  #socketPath: string | undefined;

  constructor(hooks: RuntimeApiHooks) {
    this.#session = new RuntimeApiSession(hooks);
    this.#server = createServer({ noDelay: true }, (req, res) => {
      this.#route(req, res);
    });
    // /next is a long poll that may wait for hours (and the runtime may be frozen in
    // between): no request, header or keep-alive timeout may end it (spec §2.1).
    this.#server.requestTimeout = 0;
    this.#server.headersTimeout = 0;
    this.#server.keepAliveTimeout = 0;
    this.#server.timeout = 0;
  }

  /**
   * Starts listening. Returns `host:port` for TCP, or the socket path. A socket is made
   * connectable for the sandbox's unprivileged user; its directory decides who reaches it.
   */
  async listen(address: RuntimeApiAddress): Promise<string> {
    await new Promise<void>((resolve, reject) => {
      this.#server.once('error', reject);
      const done = (): void => {
        this.#server.off('error', reject);
        resolve();
      };
      if ('socketPath' in address) {
        this.#server.listen(address.socketPath, done);
      } else {
        this.#server.listen(0, address.host, done);
      }
    });
    if ('socketPath' in address) {
      this.#socketPath = address.socketPath;
      await chmod(address.socketPath, 0o666);
      return address.socketPath;
    }
    const bound = this.#server.address();
    if (bound === null || typeof bound === 'string') {
      throw new Error('Runtime API listener has no TCP address');
    }
    return `${address.host}:${bound.port}`;
  }

  /** From now on the runtime's calls reach `hooks` (a blank sandbox adopted by its environment). */
  set hooks(hooks: RuntimeApiHooks) {
    this.#session.hooks = hooks;
  }

  /**
   * Answers a waiting blank runtime with the function it becomes: the complete variables of
   * its process. False when no blank runtime is waiting.
   */
  specialize(variables: Readonly<Record<string, string>>): boolean {
    const waiting = this.#session.specialization;
    if (typeof waiting === 'string') {
      return false;
    }
    this.#session.specialization = 'done';
    reply(waiting, 200, { variables });
    return true;
  }

  /** Whether the runtime is waiting in /next. */
  get parked(): boolean {
    return this.#session.parked !== undefined;
  }

  /** Hands an invocation to the runtime now, or on its next /next. */
  deliver(request: InvokeRequest, deadlineMs: number): void {
    const session = this.#session;
    const delivery = { request, deadlineMs, sent: false, answering: false };
    session.current = delivery;
    const parked = session.parked;
    if (parked !== undefined) {
      session.parked = undefined;
      session.send(parked, delivery);
    }
  }

  /** Forgets the current invocation (it timed out or its runtime is being killed). */
  abandon(): void {
    this.#session.current = undefined;
  }

  /** Stops listening and drops every connection. */
  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => {
      this.#server.close(() => {
        resolve();
      });
    });
    this.#server.closeAllConnections();
    await closed;
    if (this.#socketPath !== undefined) {
      await rm(this.#socketPath, { force: true });
    }
  }

  #route(req: IncomingMessage, res: ServerResponse): void {
    const url = req.url ?? '';
    const session = this.#session;
    if (url === NEXT_PATH) {
      if (req.method === 'GET') {
        handleNext(session, req, res);
        return;
      }
    } else if (url === SPECIALIZATION_PATH) {
      if (req.method === 'GET') {
        handleSpecialization(session, req, res);
        return;
      }
    } else if (url === INIT_ERROR_PATH) {
      if (req.method === 'POST') {
        handleInitError(session, req, res);
        return;
      }
    } else if (url.startsWith(INVOCATION_PREFIX)) {
      const rest = url.slice(INVOCATION_PREFIX.length);
      const slash = rest.indexOf('/');
      const action = rest.slice(slash + 1);
      if (slash > 0 && req.method === 'POST' && (action === 'response' || action === 'error')) {
        handleInvocationAnswer(session, req, res, decodeRequestId(rest.slice(0, slash)), action);
        return;
      }
    } else {
      req.resume();
      reply(res, 404, { errorMessage: `No such endpoint: ${url}`, errorType: 'NotFound' });
      return;
    }
    req.resume();
    reply(res, 405, {
      errorMessage: `Method ${req.method ?? ''} not allowed on ${url}`,
      errorType: 'MethodNotAllowed',
    });
  }
}

function decodeRequestId(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}
