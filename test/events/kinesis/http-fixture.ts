import type { IncomingMessage } from 'node:http';
import type { Http2ServerRequest } from 'node:http2';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { createKinesisHttpHandler } from '../../../src/api/kinesis/index.js';
import { listenApi } from '../../../src/api/listener.js';
import type { ResponseSink } from '../../../src/api/protocol/aws-json.js';
import { openStreams, type StreamFixture } from './fixtures.js';

export interface KinesisServer extends StreamFixture {
  readonly url: string;
  /** The SDK client as it comes: HTTP/2 (cleartext, prior knowledge) to an http:// endpoint. */
  readonly client: KinesisClient;
  /** The same client over HTTP/1.1. */
  readonly http1Client: KinesisClient;
  readonly stop: () => Promise<void>;
}

/**
 * The Kinesis handler on a free loopback port that speaks HTTP/1.1 and HTTP/2 cleartext: the
 * first bytes of a connection decide (an HTTP/2 client opens with the preface `PRI * HTTP/2.0`).
 * @aws-sdk/client-kinesis uses its HTTP/2 handler by default, so the real server must do the same.
 */
export async function startKinesisServer(
  options: Parameters<typeof openStreams>[0] = {},
): Promise<KinesisServer> {
  const fixture = openStreams(options);
  const handler = createKinesisHttpHandler(fixture.service);
  const serve = (req: IncomingMessage | Http2ServerRequest, res: ResponseSink): void => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (!handler.matches(req)) {
        res.writeHead(404, {});
        res.end(Buffer.alloc(0));
        return;
      }
      void handler.handle(req, res, Buffer.concat(chunks));
    });
  };
  // The same HTTP/1.1 + HTTP/2 listener the server uses.
  const listener = await listenApi(serve, { port: 0, host: '127.0.0.1' });
  const port = listener.port;
  const url = `http://127.0.0.1:${port}`;
  const config = {
    endpoint: url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
  };
  const client = new KinesisClient(config);
  const http1Client = new KinesisClient({ ...config, requestHandler: new NodeHttpHandler() });
  return {
    ...fixture,
    url,
    client,
    http1Client,
    stop: async () => {
      client.destroy();
      http1Client.destroy();
      await listener.closeAll();
      fixture.close();
    },
  };
}
