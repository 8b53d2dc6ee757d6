import { open, type FileHandle } from 'node:fs/promises';
import type { Database, Statement } from 'better-sqlite3';

/**
 * Durable commits whose disk sync runs off the main thread. better-sqlite3 runs statements on
 * the main thread, so under synchronous=FULL every commit blocks the event loop for its fsync
 * (1–3 ms here) and every request waits behind it. For hot paths (the async invocation queue) a
 * commit runs with synchronous=NORMAL instead — written to the WAL, not yet synced — and then the
 * WAL file is fdatasync'd on libuv's thread pool; the caller resumes after that. Linux syncs a
 * file's data whatever descriptor wrote it, so once the sync returns the commit is on disk, as
 * under FULL; meanwhile the event loop keeps serving, and every commit written while one sync
 * runs shares the next (group commit). A checkpoint in between is no hole: under NORMAL, SQLite
 * syncs the WAL before copying it into the database and the database after.
 * https://www.sqlite.org/pragma.html#pragma_synchronous
 */
export class WalSync {
  readonly #db: Database;
  readonly #normal: Statement;
  readonly #full: Statement;
  #inFlight: Promise<void> | undefined;
  #queued: Promise<void> | undefined;
  /**
   * The WAL file, opened at the first sync and kept until close: SQLite keeps that file (reset
   * in place, never unlinked) while the connection is open, and an open and a close per sync
   * cost the main thread as much as the sync itself.
   */
  #wal: FileHandle | undefined;

  /** `db` must be a file database in WAL mode with synchronous=FULL as its setting. */
  constructor(db: Database) {
    this.#db = db;
    this.#normal = db.prepare('PRAGMA synchronous = NORMAL');
    this.#full = db.prepare('PRAGMA synchronous = FULL');
  }

  /** Runs `work` (one transaction) and resolves once it is on disk. */
  async commit<T>(work: () => T): Promise<T> {
    const result = this.unsynced(work);
    await this.#sync();
    return result;
  }

  /**
   * Runs `work` without waiting for the disk: for writes a crash may lose harmlessly (a lease,
   * which a restart releases anyway). The next synced commit makes it durable too.
   */
  unsynced<T>(work: () => T): T {
    this.#normal.run();
    try {
      return work();
    } finally {
      this.#full.run();
    }
  }

  /** Waits for every sync in flight or queued, then closes the WAL file (before the database). */
  async close(): Promise<void> {
    while (this.#inFlight !== undefined || this.#queued !== undefined) {
      await (this.#queued ?? this.#inFlight)?.catch(() => undefined);
    }
    await this.#wal?.close();
    this.#wal = undefined;
  }

  /** One fdatasync that starts after the caller's commit was written. */
  #sync(): Promise<void> {
    if (this.#inFlight === undefined) {
      this.#inFlight = this.#datasync().finally(() => {
        this.#inFlight = undefined;
      });
      return this.#inFlight;
    }
    // The sync in flight may have started before this commit was written: wait for the next.
    this.#queued ??= this.#inFlight
      .catch(() => undefined)
      .then(() => {
        this.#queued = undefined;
        return this.#sync();
      });
    return this.#queued;
  }

  /** Syncs run one at a time (#sync), so the file is opened once. */
  async #datasync(): Promise<void> {
    if (this.#wal === undefined) {
      try {
        this.#wal = await open(`${this.#db.name}-wal`, 'r');
      } catch (error) {
        // No WAL file: the database was closed, which checkpoints and syncs every commit.
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
          return;
        }
        throw error;
      }
    }
    await this.#wal.datasync();
  }
}
