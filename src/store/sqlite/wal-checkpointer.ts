import { Worker } from 'node:worker_threads';
import type { Database } from 'better-sqlite3';

/** How often the WAL is checkpointed: about 1,000 pages (SQLite's own threshold) at full load. */
const CHECKPOINT_INTERVAL_MS = 1_000;
/** Pages: SQLite's automatic checkpoint threshold, the fallback. */
const SQLITE_DEFAULT_AUTOCHECKPOINT = 1_000;

/**
 * Keeps WAL checkpoints off the main thread. SQLite's automatic checkpoint runs inside the commit
 * that takes the WAL past 1,000 pages, on the committing connection: with better-sqlite3 that is
 * the event loop, blocked 4–6 ms (copying and fsyncing the database) while every invocation waits.
 * The main connection is set never to checkpoint; a worker thread with its own connection runs
 * PASSIVE checkpoints instead (wal-checkpoint-worker.ts), which take no lock the main connection
 * waits for, so they cannot make its statements fail with SQLITE_BUSY. Should the worker die, the
 * main connection checkpoints inside its commits again, so the WAL never grows without bound.
 * https://www.sqlite.org/wal.html#checkpointing
 */
export class WalCheckpointer {
  readonly #worker: Worker;
  readonly #exited: Promise<unknown>;

  /** Takes over the checkpoints of `db`, a WAL-mode file database; `onWarning` hears failures. */
  constructor(db: Database, onWarning: (message: string) => void) {
    db.pragma('wal_autocheckpoint = 0');
    this.#worker = new Worker(new URL('./wal-checkpoint-worker.js', import.meta.url), {
      workerData: { file: db.name, intervalMs: CHECKPOINT_INTERVAL_MS },
    });
    this.#worker.on('message', (message: { error: string }) => {
      onWarning(`WAL checkpoint failed (retried): ${message.error}`);
    });
    this.#worker.on('error', (error) => {
      if (db.open) {
        db.pragma(`wal_autocheckpoint = ${String(SQLITE_DEFAULT_AUTOCHECKPOINT)}`);
      }
      onWarning(`WAL checkpointer stopped, checkpoints run inside commits again: ${error.message}`);
    });
    this.#exited = new Promise((resolve) => this.#worker.once('exit', resolve));
    this.#worker.unref();
  }

  /** Stops the worker and closes its connection (before the main connection closes). */
  async stop(): Promise<void> {
    // Unreferenced while it runs; awaited now, so it must keep the process alive until it exits.
    this.#worker.ref();
    this.#worker.postMessage('stop');
    await this.#exited;
  }
}
