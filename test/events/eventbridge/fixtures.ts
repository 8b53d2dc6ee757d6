import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import Database from 'better-sqlite3';
import { createEventBridgeHttpHandler } from '../../../src/api/eventbridge/index.js';
import type { AccountContext } from '../../../src/core/arn.js';
import { ManualClock } from '../../../src/core/clock.js';
import { ServiceError, resourceNotFound } from '../../../src/core/errors.js';
import {
  createEventBridgeService,
  type EventBridgeService,
} from '../../../src/events/eventbridge/index.js';
import type { LambdaInvokeTarget } from '../../../src/events/targets.js';
import { SqliteRuleStore, migrateRules } from '../../../src/store/sqlite/rules.js';

export const CTX: AccountContext = { region: 'us-east-1', accountId: '000000000000' };

export const fnArn = (name: string): string =>
  `arn:aws:lambda:${CTX.region}:${CTX.accountId}:function:${name}`;

export interface Invocation {
  readonly functionArn: string;
  /** The payload parsed as JSON. */
  readonly event: unknown;
  readonly raw: string;
}

/**
 * Stands in for the invoke service (outside this part): records every asynchronous invocation.
 * Functions exist when added to `functions` (by unqualified ARN), as the real one would answer.
 */
export class RecordingLambda implements LambdaInvokeTarget {
  readonly invocations: Invocation[] = [];
  readonly functions = new Set<string>();

  invokeAsync(functionArn: string, payload: Buffer): Promise<void> {
    if (!this.functions.has(unqualified(functionArn))) {
      return Promise.reject(resourceNotFound(`Function not found: ${functionArn}`));
    }
    const raw = payload.toString('utf8');
    this.invocations.push({ functionArn, event: JSON.parse(raw) as unknown, raw });
    return Promise.resolve();
  }

  functionExists(functionArn: string): Promise<boolean> {
    return Promise.resolve(this.functions.has(unqualified(functionArn)));
  }

  /** The events delivered to one function, in order. */
  eventsFor(functionArn: string): unknown[] {
    return this.invocations.filter((i) => i.functionArn === functionArn).map((i) => i.event);
  }
}

function unqualified(arn: string): string {
  return arn.split(':').slice(0, 7).join(':');
}

export interface EventBridgeFixture {
  readonly db: Database.Database;
  readonly clock: ManualClock;
  readonly lambda: RecordingLambda;
  readonly service: EventBridgeService;
  readonly warnings: string[];
  /** Stops the service and closes the database. */
  readonly close: () => Promise<void>;
}

/**
 * The service over a real SQLite database (in memory unless `file` is given, so that a second
 * fixture can reopen it as a restarted server would) with a ManualClock, started.
 */
export async function openEventBridge(
  options: { file?: string; clock?: ManualClock; lambda?: RecordingLambda } = {},
): Promise<EventBridgeFixture> {
  const db = new Database(options.file ?? ':memory:');
  db.pragma('journal_mode = WAL');
  migrateRules(db);
  const clock = options.clock ?? new ManualClock(Date.UTC(2025, 0, 1));
  const lambda = options.lambda ?? new RecordingLambda();
  const warnings: string[] = [];
  const service = createEventBridgeService({
    store: new SqliteRuleStore(db),
    clock,
    ctx: CTX,
    lambda,
    onWarning: (m) => warnings.push(m),
  });
  await service.start();
  return {
    db,
    clock,
    lambda,
    service,
    warnings,
    close: async () => {
      await service.stop();
      db.close();
    },
  };
}

export interface EventBridgeServer extends EventBridgeFixture {
  readonly url: string;
  readonly server: Server;
  readonly client: EventBridgeClient;
  readonly stop: () => Promise<void>;
}

/** The EventBridge handler behind a real http.Server on a free loopback port, and an SDK client. */
export async function startEventBridgeServer(): Promise<EventBridgeServer> {
  const fixture = await openEventBridge();
  const handler = createEventBridgeHttpHandler(fixture.service, CTX);
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (!handler.matches(req)) {
        res.writeHead(404).end();
        return;
      }
      void handler.handle(req, res, Buffer.concat(chunks));
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  const client = new EventBridgeClient({
    endpoint: url,
    region: CTX.region,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
  });
  return {
    ...fixture,
    url,
    server,
    client,
    stop: async () => {
      client.destroy();
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
      await fixture.close();
    },
  };
}

/** Asserts that `promise` rejects with the EventBridge exception `code` (and a message part). */
export async function rejectsWith(
  promise: Promise<unknown>,
  code: string,
  messagePart?: string,
): Promise<void> {
  await assert.rejects(promise, (err: unknown) => {
    assert.ok(err instanceof ServiceError, `expected a ServiceError, got ${String(err)}`);
    assert.equal(err.code, code, err.message);
    if (messagePart !== undefined) {
      assert.ok(err.message.includes(messagePart), err.message);
    }
    return true;
  });
}

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
