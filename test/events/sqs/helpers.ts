import type { TestContext } from 'node:test';
import { SQSClient } from '@aws-sdk/client-sqs';
import type Database from 'better-sqlite3';
import type { AccountContext } from '../../../src/core/arn.js';
import { ManualClock } from '../../../src/core/clock.js';
import { createSqsHttpHandler } from '../../../src/api/sqs/index.js';
import { createQueueService } from '../../../src/events/sqs/index.js';
import type { QueueService } from '../../../src/events/sqs/types.js';
import { migrateQueues, SqliteQueueStore } from '../../../src/store/sqlite/queues.js';
import * as shared from '../helpers.js';

export { rejection } from '../helpers.js';

export const CTX: AccountContext = { region: 'us-east-1', accountId: '123456789012' };

/** Opens `<dir>/fogbank.db` the way the store does: WAL, synchronous=FULL, migrated. */
export function openDatabase(dir: string): Database.Database {
  return shared.openDatabase(dir, migrateQueues);
}

export function tempDir(t: TestContext): string {
  return shared.tempDir(t, 'fogbank-sqs-');
}

export interface TestQueues {
  readonly service: QueueService;
  readonly clock: ManualClock;
  readonly db: Database.Database;
  readonly dir: string;
}

/** A queue service on a fresh SQLite database in a temp dir, on a ManualClock. */
export function createTestQueues(t: TestContext): TestQueues {
  const dir = tempDir(t);
  const db = openDatabase(dir);
  const clock = new ManualClock();
  const service = createQueueService({ store: new SqliteQueueStore(db), clock, ctx: CTX });
  t.after(() => {
    service.close();
    db.close();
  });
  return { service, clock, db, dir };
}

export interface TestServer extends TestQueues {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  readonly sqs: SQSClient;
}

/** The SQS handler on a real http.Server on port 0, routing as the main router will. */
export async function startSqsServer(t: TestContext): Promise<TestServer> {
  const queues = createTestQueues(t);
  const handler = createSqsHttpHandler(queues.service, CTX);
  const { url, client: sqs } = await shared.serveWithClient(
    t,
    (req, res, body) => {
      if (!handler.matches(req)) {
        res.writeHead(404).end('not an SQS request');
        return;
      }
      void handler.handle(req, res, body);
    },
    (config) => new SQSClient(config),
    CTX.region,
  );
  return { ...queues, url, sqs };
}

/**
 * Lets pending queue work run up to its next wait: store writes commit on the next turns of the
 * event loop (group commit), so a long poll is parked after a few turns.
 */
export async function parked(): Promise<void> {
  for (let turn = 0; turn < 10; turn++) {
    await new Promise((resolve) => setImmediate(resolve));
  }
}
