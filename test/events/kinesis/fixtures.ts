import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import type { AccountContext } from '../../../src/core/arn.js';
import { ManualClock } from '../../../src/core/clock.js';
import { ServiceError } from '../../../src/core/errors.js';
import {
  createStreamService,
  type StreamService,
  type StreamServiceOptions,
} from '../../../src/events/kinesis/index.js';
import { SqliteStreamStore, migrateStreams } from '../../../src/store/sqlite/streams.js';

export const CTX: AccountContext = { region: 'us-east-1', accountId: '000000000000' };

export interface StreamFixture {
  readonly db: Database.Database;
  readonly clock: ManualClock;
  readonly service: StreamService;
  readonly close: () => void;
}

/** A stream service on a real SQLite database (in memory unless a file is given) and a ManualClock. */
export function openStreams(
  options: Partial<Omit<StreamServiceOptions, 'store' | 'ctx'>> & { file?: string } = {},
): StreamFixture {
  const { file, clock: givenClock, ...rest } = options;
  const db = new Database(file ?? ':memory:');
  db.pragma('journal_mode = WAL');
  migrateStreams(db);
  const clock = givenClock instanceof ManualClock ? givenClock : new ManualClock();
  const service = createStreamService({
    store: new SqliteStreamStore(db),
    clock,
    ctx: CTX,
    ...rest,
  });
  return {
    db,
    clock,
    service,
    close: () => {
      service.close();
      db.close();
    },
  };
}

/** Asserts that `promise` rejects with the Kinesis exception `code` (and, if given, a message part). */
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

export function text(data: Uint8Array): string {
  return Buffer.from(data).toString('utf8');
}
