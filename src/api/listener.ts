import { once } from 'node:events';
import {
  createServer as createHttp1Server,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import {
  createServer as createHttp2Server,
  type Http2ServerRequest,
  type Http2ServerResponse,
} from 'node:http2';
import { createServer as createNetServer, type Server, type Socket } from 'node:net';

export type RequestListener = (
  req: IncomingMessage | Http2ServerRequest,
  res: ServerResponse | Http2ServerResponse,
) => void;

/** A listening API endpoint (a TCP port or a Unix socket). */
export interface ApiListener {
  /** The bound TCP port (0 for a Unix socket). */
  readonly port: number;
  /** Stops accepting; idle keep-alive connections close now, busy ones finish their request. */
  stopAccepting(): void;
  /** Closes every connection, busy or not, and resolves when the server is closed. */
  closeAll(): Promise<void>;
}

/**
 * HTTP/1.1 and cleartext HTTP/2 on one socket: the first bytes of a connection decide (an
 * HTTP/2 client with prior knowledge opens with `PRI * HTTP/2.0`). The AWS SDK's Kinesis
 * client speaks HTTP/2 by default; everything else speaks HTTP/1.1.
 */
export async function listenApi(
  listener: RequestListener,
  where: { port: number; host: string } | { path: string },
): Promise<ApiListener> {
  const http1 = createHttp1Server({ keepAliveTimeout: 65_000, requestTimeout: 0 }, listener);
  const http2 = createHttp2Server(listener);
  const sockets = new Set<Socket>();
  const server: Server = createNetServer((socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    const decide = (): void => {
      const first = (socket.read(3) ?? socket.read()) as Buffer | null;
      if (first === null) {
        return;
      }
      socket.off('readable', decide);
      socket.unshift(first);
      const h2 = 'PRI'.startsWith(first.toString('latin1'));
      (h2 ? http2 : http1).emit('connection', socket);
    };
    socket.on('readable', decide);
  });
  const listening = once(server, 'listening');
  if ('path' in where) {
    server.listen(where.path);
  } else {
    server.listen(where.port, where.host);
  }
  await listening;
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : 0,
    stopAccepting() {
      server.close();
      http1.closeIdleConnections();
    },
    async closeAll() {
      const closed = server.listening ? Promise.resolve() : once(server, 'close');
      server.close();
      for (const socket of sockets) {
        socket.destroy();
      }
      await closed.catch(() => undefined);
    },
  };
}
