import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { createSystemClock, type Clock } from '../../core/clock.js';
import type {
  AccountUsageRecord,
  FunctionVersionRecord,
  ListFunctionVersionsQuery,
  LogEvent,
  LogEventQuery,
  LogStreamSummary,
  Store,
  StoredLogEvent,
  TagResult,
  TaggedResource,
} from '../types.js';
import { FunctionTables } from './function-tables.js';
import { LogTables } from './log-tables.js';
import { MIGRATIONS, migrate } from './migrations.js';
import { SqliteRegistryStore } from './registry-store.js';
import { AsyncEventTables } from './async-event-tables.js';
import { SecretBox } from '../secret-box.js';
import type { AsyncEvent, AsyncSettlement, NewAsyncEvent } from '../../invoke/async-event.js';
import { WalCheckpointer } from './wal-checkpointer.js';
import { WalSync } from './wal-sync.js';

export interface SqliteStoreOptions {
  /** Stamps migrations and log ingestion times (default: the system clock). */
  readonly clock?: Clock;
  /** How long a writer waits for another connection's lock before failing (ms). */
  readonly busyTimeoutMs?: number;
  /** Base64 of the 32-byte key that seals secrets (default: `<dataDir>/secret.key`, created once). */
  readonly secretKey?: string;
  /** Hears what goes wrong in the background (a failed WAL checkpoint); default: a process warning. */
  readonly onWarning?: (message: string) => void;
}

/**
 * Opens (creating if needed) `<dataDir>/fogbank.db`: WAL so readers never block the writer,
 * synchronous=FULL so an acknowledged write survives power loss (DESIGN.md's durability rule),
 * foreign keys on for cascading deletes, WAL checkpoints on a worker thread, and every pending
 * migration applied.
 */
export async function openSqliteStore(
  dataDir: string,
  options: SqliteStoreOptions = {},
): Promise<Store & SqliteHandle> {
  await mkdir(dataDir, { recursive: true });
  const clock = options.clock ?? createSystemClock();
  const secrets = await SecretBox.load(dataDir, options.secretKey);
  const db = new Database(join(dataDir, 'fogbank.db'));
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma(`busy_timeout = ${String(options.busyTimeoutMs ?? 5000)}`);
    db.pragma('foreign_keys = ON');
    migrate(db, MIGRATIONS, clock.now());
    const checkpointer = new WalCheckpointer(
      db,
      options.onWarning ??
        ((message) => {
          process.emitWarning(message, 'FogbankStore');
        }),
    );
    return new SqliteStore(db, clock, secrets, checkpointer);
  } catch (error) {
    db.close();
    throw error;
  }
}

/** Runs synchronous database work, turning a thrown error into a rejection. */
function settle<T>(work: () => T): Promise<T> {
  try {
    return Promise.resolve(work());
  } catch (error) {
    return Promise.reject(error instanceof Error ? error : new Error(String(error)));
  }
}

/**
 * The open database, for the built-in services (queues, streams, rules, topics) whose tables
 * live in the same file and must share this one connection: better-sqlite3 is synchronous, and
 * a second connection would block on this one's write lock.
 */
export interface SqliteHandle {
  readonly database: Database.Database;
}

/** better-sqlite3 is synchronous; the async methods keep the Store contract PostgreSQL-shaped. */
class SqliteStore extends SqliteRegistryStore implements Store, SqliteHandle {
  readonly #db: Database.Database;
  readonly #clock: Clock;
  readonly #functions: FunctionTables;
  readonly #logs: LogTables;
  readonly #asyncEvents: AsyncEventTables;
  /** The async queue's and the logs' commits sync off the main thread (wal-sync.ts). */
  readonly #wal: WalSync;
  readonly #checkpointer: WalCheckpointer;

  get database(): Database.Database {
    return this.#db;
  }

  constructor(
    db: Database.Database,
    clock: Clock,
    secrets: SecretBox,
    checkpointer: WalCheckpointer,
  ) {
    super(db);
    this.#db = db;
    this.#clock = clock;
    this.#functions = new FunctionTables(db, secrets);
    this.#logs = new LogTables(db);
    this.#asyncEvents = new AsyncEventTables(db);
    this.#wal = new WalSync(db);
    this.#checkpointer = checkpointer;
  }

  enqueueAsyncEvents(events: readonly NewAsyncEvent[]): Promise<void> {
    return this.#wal.commit(() => {
      this.#asyncEvents.enqueue(events);
    });
  }

  leaseAsyncEvents(now: number, leaseUntil: number, limit: number): Promise<AsyncEvent[]> {
    return settle(() => this.#wal.unsynced(() => this.#asyncEvents.lease(now, leaseUntil, limit)));
  }

  settleAsyncEvents(settlements: readonly AsyncSettlement[]): Promise<void> {
    return this.#wal.commit(() => {
      this.#asyncEvents.settle(settlements);
    });
  }

  releaseAsyncLeases(): Promise<void> {
    return settle(() => {
      this.#asyncEvents.releaseAll();
    });
  }

  countAsyncEvents(): Promise<number> {
    return settle(() => this.#asyncEvents.count());
  }

  nextAsyncAttemptAt(): Promise<number | undefined> {
    return settle(() => this.#asyncEvents.nextAttemptAt());
  }

  createFunction(input: {
    readonly latest: FunctionVersionRecord;
    readonly createdAt: number;
    readonly tags: Readonly<Record<string, string>>;
  }): Promise<boolean> {
    return settle(() => this.#functions.createFunction(input.latest, input.createdAt, input.tags));
  }

  getFunctionVersion(
    functionName: string,
    version: string,
  ): Promise<FunctionVersionRecord | undefined> {
    return settle(() => this.#functions.getVersion(functionName, version));
  }

  listFunctionVersions(query: ListFunctionVersionsQuery): Promise<FunctionVersionRecord[]> {
    return settle(() => this.#functions.listVersions(query));
  }

  replaceFunctionVersion(
    record: FunctionVersionRecord,
    expectedRevisionId: string,
  ): Promise<boolean> {
    return settle(() => this.#functions.replaceVersion(record, expectedRevisionId));
  }

  publishFunctionVersion(
    functionName: string,
    source: Omit<FunctionVersionRecord, 'functionName' | 'version'>,
  ): Promise<string | undefined> {
    return settle(() => this.#functions.publishVersion(functionName, source));
  }

  deleteFunction(functionName: string): Promise<boolean> {
    return settle(() => this.#functions.deleteFunction(functionName));
  }

  deleteFunctionVersion(functionName: string, version: string): Promise<boolean> {
    return settle(() => this.#functions.deleteVersion(functionName, version));
  }

  listReferencedCode(): Promise<Set<string>> {
    return settle(() => this.#functions.referencedCode());
  }

  getTags(resource: TaggedResource): Promise<Record<string, string> | undefined> {
    return settle(() => this.#functions.getTags(resource));
  }

  tagResource(
    resource: TaggedResource,
    tags: Readonly<Record<string, string>>,
    maxTags: number,
  ): Promise<TagResult> {
    return settle(() => this.#functions.tagResource(resource, tags, maxTags));
  }

  untagResource(resource: TaggedResource, keys: readonly string[]): Promise<boolean> {
    return settle(() => this.#functions.untagResource(resource, keys));
  }

  getAccountUsage(): Promise<AccountUsageRecord> {
    return settle(() => this.#functions.usage());
  }

  appendLogEvents(events: readonly LogEvent[]): Promise<void> {
    return this.#wal.commit(() => {
      this.#logs.append(events, this.#clock.now());
    });
  }

  getLogEvents(query: LogEventQuery): Promise<StoredLogEvent[]> {
    return settle(() => this.#logs.query(query));
  }

  listLogStreams(logGroupName: string): Promise<LogStreamSummary[]> {
    return settle(() => this.#logs.listStreams(logGroupName));
  }

  async close(): Promise<void> {
    await this.#wal.close();
    // First: closing the last connection checkpoints the whole WAL and removes it.
    await this.#checkpointer.stop();
    this.#db.close();
  }
}
