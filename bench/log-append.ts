/**
 * The invocation log's commit, in process: how long the main thread is blocked per invocation
 * when a flush writes START, END and REPORT lines (the LogWriter's 20 ms batch), through the
 * real SQLite store. Variants alter the scratch database's `log_events` table to show what its
 * indexes and AUTOINCREMENT cost; the store itself is unchanged.
 * Run: `npm run build && node dist/bench/log-append.js [--batches N] [--invocations-per-batch N]`.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import type { LogEvent } from '../src/store/index.js';
import { openSqliteStore } from '../src/store/sqlite/sqlite-store.js';
import { summary } from './lib.js';

const { values } = parseArgs({
  options: {
    batches: { type: 'string', default: '500' },
    'invocations-per-batch': { type: 'string', default: '60' },
  },
});
const batches = Number(values.batches);
const perBatch = Number(values['invocations-per-batch']);

/** Schema changes applied to the scratch database before the run. */
const VARIANTS: Record<string, string> = {
  'as shipped': '',
  'without the group index': 'DROP INDEX log_events_by_group;',
  'without AUTOINCREMENT': `
    DROP TABLE log_events;
    CREATE TABLE log_events (
      id INTEGER PRIMARY KEY,
      log_group TEXT NOT NULL,
      log_stream TEXT NOT NULL,
      timestamp INTEGER NOT NULL,
      message TEXT NOT NULL,
      ingestion_time INTEGER NOT NULL
    ) STRICT;
    CREATE INDEX log_events_by_group ON log_events (log_group, id);
    CREATE INDEX log_events_by_stream ON log_events (log_group, log_stream, id);`,
};

/** One flush: `perBatch` invocations spread over four environments' streams. */
function batch(now: number): LogEvent[] {
  const events: LogEvent[] = [];
  for (let i = 0; i < perBatch; i++) {
    const requestId = `8f4a0c1e-1234-4abc-9def-${String(i).padStart(12, '0')}`;
    const line = (message: string): LogEvent => ({
      logGroupName: '/aws/lambda/bench',
      logStreamName: `2026/11/22/[$LATEST]${String(i % 4).repeat(32)}`,
      timestamp: now,
      message,
    });
    events.push(
      line(`START RequestId: ${requestId} Version: $LATEST`),
      line(`END RequestId: ${requestId}`),
      line(
        `REPORT RequestId: ${requestId}\tDuration: 0.15 ms\tBilled Duration: 1 ms\tMemory Size: 128 MB\tMax Memory Used: 40 MB\t`,
      ),
    );
  }
  return events;
}

console.log(
  `Log append benchmark (${String(batches)} flushes of ${String(perBatch)} invocations, ${new Date().toISOString()})`,
);
for (const [variant, ddl] of Object.entries(VARIANTS)) {
  const dataDir = await mkdtemp(join(tmpdir(), 'fogbank-bench-logs-'));
  if (ddl !== '') {
    const store = await openSqliteStore(dataDir);
    await store.close();
    const db = new Database(join(dataDir, 'fogbank.db'));
    db.exec(ddl);
    db.close();
  }
  const store = await openSqliteStore(dataDir);
  const blocked: number[] = [];
  for (let i = 0; i < batches; i++) {
    const events = batch(Date.now());
    const t0 = process.hrtime.bigint();
    // The transaction runs synchronously; only the WAL's fdatasync is awaited off the thread.
    const committed = store.appendLogEvents(events);
    blocked.push(Number(process.hrtime.bigint() - t0) / 1e3 / perBatch);
    await committed;
  }
  await store.close();
  await rm(dataDir, { recursive: true, force: true });
  const s = summary(blocked);
  console.log(
    `${variant.padEnd(26)} main thread per invocation: mean ${s.mean.toFixed(1)} µs  p50 ${s.p50.toFixed(1)} µs  p99 ${s.p99.toFixed(1)} µs`,
  );
}
