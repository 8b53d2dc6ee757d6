/** The log thread (see log-thread.ts): one connection, one transaction per batch. */
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { LogTables } from '../store/sqlite/log-tables.js';
import type { LogBatch, LogBatchDone } from './log-thread.js';

const { path } = workerData as { path: string };
const db = new Database(path);
db.pragma('journal_mode = WAL');
db.pragma('synchronous = FULL');
db.pragma('busy_timeout = 5000');
const tables = new LogTables(db);

parentPort?.on('message', (batch: LogBatch) => {
  let done: LogBatchDone;
  try {
    tables.append(batch.events, batch.ingestionTime);
    done = { id: batch.id };
  } catch (err) {
    done = { id: batch.id, error: String(err) };
  }
  parentPort?.postMessage(done);
});
