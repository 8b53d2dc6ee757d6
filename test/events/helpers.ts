/** What the SNS and SQS test helpers share: temp dirs, SQLite files, a port-0 server, rejections. */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import Database from 'better-sqlite3';

/** A fresh `<tmpdir>/<prefix>XXXXXX` directory, removed after the test. */
export function tempDir(t: TestContext, prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  t.after(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  return dir;
}

/** Opens `<dir>/fogbank.db` the way the store does: WAL, synchronous=FULL, migrated. */
export function openDatabase(
  dir: string,
  migrate: (db: Database.Database) => void,
): Database.Database {
  const db = new Database(join(dir, 'fogbank.db'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  migrate(db);
  return db;
}

/** What an SDK client is built with to talk to a test server: one attempt, test credentials. */
export interface TestClientConfig {
  readonly endpoint: string;
  readonly region: string;
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
  readonly maxAttempts: number;
}

/**
 * A real http.Server on 127.0.0.1 port 0 that hands each request to `route` with its body read,
 * and an SDK client for it. After the test the client is destroyed, then the server closed.
 */
export async function serveWithClient<C extends { destroy(): void }>(
  t: TestContext,
  route: (req: IncomingMessage, res: ServerResponse, body: Buffer) => void,
  client: (config: TestClientConfig) => C,
  region: string,
): Promise<{ readonly url: string; readonly client: C }> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      route(req, res, Buffer.concat(chunks));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const url = `http://127.0.0.1:${String(port)}`;
  const sdk = client({
    endpoint: url,
    region,
    credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'test' },
    maxAttempts: 1,
  });
  t.after(async () => {
    sdk.destroy();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  return { url, client: sdk };
}

/** A `serveWithClient` route for one service handler; requests it does not match get 418. */
export function serviceRoute(handler: {
  matches(req: IncomingMessage): boolean;
  handle(req: IncomingMessage, res: ServerResponse, body: Buffer): Promise<void>;
}): (req: IncomingMessage, res: ServerResponse, body: Buffer) => void {
  return (req, res, body) => {
    if (!handler.matches(req)) {
      res.writeHead(418).end();
      return;
    }
    void handler.handle(req, res, body);
  };
}

/** Rejects with the error a promise rejects with, failing if it resolves. */
export async function rejection(
  promise: Promise<unknown>,
): Promise<Error & Record<string, unknown>> {
  try {
    await promise;
  } catch (error) {
    return error as Error & Record<string, unknown>;
  }
  throw new Error('expected a rejection');
}
