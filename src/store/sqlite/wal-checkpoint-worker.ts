/**
 * The WAL checkpointer's thread (see wal-checkpointer.ts): its own connection to the database,
 * copying committed WAL frames into the database file with PASSIVE checkpoints, which never wait
 * for and never block the main connection's readers and writer.
 */
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';

const { file, intervalMs } = workerData as { file: string; intervalMs: number };
/** When a checkpoint left frames behind (a commit landed meanwhile): soon again, to catch up. */
const CATCH_UP_MS = 10;

const db = new Database(file, { fileMustExist: true });
// A checkpoint syncs the WAL before copying it and the database after, so a WAL restart never
// overwrites frames that are not yet durable in the database.
db.pragma('synchronous = FULL');
const checkpoint = db.prepare<[], { busy: number; log: number; checkpointed: number }>(
  'PRAGMA wal_checkpoint(PASSIVE)',
);

let timer: NodeJS.Timeout | undefined = setTimeout(run, intervalMs);

function run(): void {
  let delay = intervalMs;
  try {
    const result = checkpoint.get();
    if (result !== undefined && result.checkpointed < result.log) {
      delay = CATCH_UP_MS;
    }
  } catch (error) {
    // Retried on the next round; the main connection's close checkpoints whatever is left.
    parentPort?.postMessage({ error: (error as Error).message });
  }
  timer = setTimeout(run, delay);
}

parentPort?.on('message', () => {
  // The only message is "stop".
  clearTimeout(timer);
  timer = undefined;
  db.close();
  parentPort?.close();
});
