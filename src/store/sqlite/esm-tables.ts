/**
 * Event source mappings in the shared SQLite database: the mappings (settings as a JSON document,
 * the columns that listings and the one-mapping-per-source-and-function rule need beside it) and
 * the stream checkpoints of each mapping. better-sqlite3 is synchronous; the async methods keep
 * the EventSourceMappingStore interface open to PostgreSQL.
 */
import type { Database, Statement } from 'better-sqlite3';
import type { EventSourceMappingStore } from '../../events/esm/mapping-store.js';
import type {
  EsmState,
  ListedMapping,
  MappingListQuery,
  MappingRecord,
  MappingSettings,
} from '../../events/esm/types.js';
import type { Migration } from './migrations.js';

export const ESM_MIGRATION: Migration = {
  version: 30,
  name: 'event source mappings and stream checkpoints',
  sql: `
    CREATE TABLE esm_mappings (
      seq INTEGER PRIMARY KEY AUTOINCREMENT,
      uuid TEXT NOT NULL UNIQUE,
      event_source_arn TEXT,
      source_key TEXT NOT NULL,
      function_name TEXT NOT NULL,
      qualifier TEXT,
      function_arn TEXT NOT NULL,
      enabled INTEGER NOT NULL,
      state TEXT NOT NULL,
      state_reason TEXT NOT NULL,
      last_modified INTEGER NOT NULL,
      last_result TEXT,
      settings TEXT NOT NULL
    ) STRICT;
    CREATE UNIQUE INDEX esm_mappings_by_source ON esm_mappings (source_key, function_arn);
    CREATE INDEX esm_mappings_by_function ON esm_mappings (function_name, seq);

    CREATE TABLE esm_checkpoints (
      uuid TEXT NOT NULL REFERENCES esm_mappings (uuid) ON DELETE CASCADE,
      shard_id TEXT NOT NULL,
      sequence_number TEXT NOT NULL,
      PRIMARY KEY (uuid, shard_id)
    ) STRICT;
  `,
};

interface Row {
  seq: number;
  uuid: string;
  event_source_arn: string | null;
  source_key: string;
  function_name: string;
  qualifier: string | null;
  function_arn: string;
  enabled: number;
  state: string;
  state_reason: string;
  last_modified: number;
  last_result: string | null;
  settings: string;
}

type RowParams = Omit<Row, 'seq'>;

const COLUMNS =
  'seq, uuid, event_source_arn, source_key, function_name, qualifier, function_arn, enabled, state, state_reason, last_modified, last_result, settings';

function toRow(m: MappingRecord): RowParams {
  return {
    uuid: m.uuid,
    event_source_arn: m.eventSourceArn ?? null,
    source_key: m.sourceKey,
    function_name: m.functionName,
    qualifier: m.qualifier ?? null,
    function_arn: m.functionArn,
    enabled: m.enabled ? 1 : 0,
    state: m.state,
    state_reason: m.stateTransitionReason,
    last_modified: m.lastModifiedMs,
    last_result: m.lastProcessingResult ?? null,
    settings: JSON.stringify(m.settings),
  };
}

function toMapping(row: Row): MappingRecord {
  return {
    uuid: row.uuid,
    ...(row.event_source_arn === null ? {} : { eventSourceArn: row.event_source_arn }),
    sourceKey: row.source_key,
    functionName: row.function_name,
    ...(row.qualifier === null ? {} : { qualifier: row.qualifier }),
    functionArn: row.function_arn,
    enabled: row.enabled === 1,
    state: row.state as EsmState,
    stateTransitionReason: row.state_reason,
    lastModifiedMs: row.last_modified,
    ...(row.last_result === null ? {} : { lastProcessingResult: row.last_result }),
    settings: JSON.parse(row.settings) as MappingSettings,
  };
}

/** Runs synchronous database work, turning a thrown error into a rejection. */
function settle<T>(work: () => T): Promise<T> {
  try {
    return Promise.resolve(work());
  } catch (error) {
    return Promise.reject(error instanceof Error ? error : new Error(String(error)));
  }
}

/** EventSourceMappingStore on better-sqlite3 (ESM_MIGRATION applied). */
export class SqliteEventSourceMappingStore implements EventSourceMappingStore {
  readonly #db: Database;
  readonly #insert: Statement<RowParams>;
  readonly #byUuid: Statement<[string], Row>;
  readonly #bySource: Statement<[string, string], Row>;
  readonly #list: Statement<
    {
      after: number;
      arn: string | null;
      name: string | null;
      functionArn: string | null;
      limit: number;
    },
    Row
  >;
  readonly #all: Statement<[], Row>;
  readonly #replace: Statement<RowParams & { expected: string }>;
  readonly #setResult: Statement<[string, string]>;
  readonly #delete: Statement<[string]>;
  readonly #checkpoints: Statement<[string], { shard_id: string; sequence_number: string }>;
  readonly #putCheckpoint: Statement<[string, string, string]>;

  constructor(db: Database) {
    this.#db = db;
    this.#insert = db.prepare(
      `INSERT INTO esm_mappings (uuid, event_source_arn, source_key, function_name, qualifier,
         function_arn, enabled, state, state_reason, last_modified, last_result, settings)
       VALUES (@uuid, @event_source_arn, @source_key, @function_name, @qualifier, @function_arn,
         @enabled, @state, @state_reason, @last_modified, @last_result, @settings)`,
    );
    this.#byUuid = db.prepare(`SELECT ${COLUMNS} FROM esm_mappings WHERE uuid = ?`);
    this.#bySource = db.prepare(
      `SELECT ${COLUMNS} FROM esm_mappings WHERE source_key = ? AND function_arn = ?`,
    );
    this.#list = db.prepare(
      `SELECT ${COLUMNS} FROM esm_mappings
       WHERE seq > @after
         AND (@arn IS NULL OR event_source_arn = @arn)
         AND (@name IS NULL OR function_name = @name)
         AND (@functionArn IS NULL OR function_arn = @functionArn)
       ORDER BY seq LIMIT @limit`,
    );
    this.#all = db.prepare(`SELECT ${COLUMNS} FROM esm_mappings ORDER BY seq`);
    this.#replace = db.prepare(
      `UPDATE esm_mappings SET event_source_arn = @event_source_arn, source_key = @source_key,
         function_name = @function_name, qualifier = @qualifier, function_arn = @function_arn,
         enabled = @enabled, state = @state, state_reason = @state_reason,
         last_modified = @last_modified, last_result = @last_result, settings = @settings
       WHERE uuid = @uuid AND state = @expected`,
    );
    this.#setResult = db.prepare('UPDATE esm_mappings SET last_result = ? WHERE uuid = ?');
    this.#delete = db.prepare('DELETE FROM esm_mappings WHERE uuid = ?');
    this.#checkpoints = db.prepare(
      'SELECT shard_id, sequence_number FROM esm_checkpoints WHERE uuid = ?',
    );
    this.#putCheckpoint = db.prepare(
      `INSERT INTO esm_checkpoints (uuid, shard_id, sequence_number) VALUES (?, ?, ?)
       ON CONFLICT (uuid, shard_id) DO UPDATE SET sequence_number = excluded.sequence_number`,
    );
  }

  insertMapping(mapping: MappingRecord): Promise<MappingRecord | undefined> {
    return settle(() =>
      this.#db
        .transaction(() => {
          const existing = this.#bySource.get(mapping.sourceKey, mapping.functionArn);
          if (existing) {
            return toMapping(existing);
          }
          this.#insert.run(toRow(mapping));
          return undefined;
        })
        .immediate(),
    );
  }

  getMapping(uuid: string): Promise<MappingRecord | undefined> {
    return settle(() => {
      const row = this.#byUuid.get(uuid);
      return row && toMapping(row);
    });
  }

  listMappings(query: MappingListQuery): Promise<ListedMapping[]> {
    return settle(() =>
      this.#list
        .all({
          after: query.after ?? 0,
          arn: query.eventSourceArn ?? null,
          name: query.functionArn === undefined ? (query.functionName ?? null) : null,
          functionArn: query.functionArn ?? null,
          limit: query.limit,
        })
        .map((row) => ({ order: row.seq, mapping: toMapping(row) })),
    );
  }

  allMappings(): Promise<MappingRecord[]> {
    return settle(() => this.#all.all().map(toMapping));
  }

  replaceMapping(
    mapping: MappingRecord,
    expectedState: EsmState,
  ): Promise<{ readonly replaced: boolean; readonly conflict?: MappingRecord }> {
    return settle(() =>
      this.#db
        .transaction(() => {
          const other = this.#bySource.get(mapping.sourceKey, mapping.functionArn);
          if (other && other.uuid !== mapping.uuid) {
            return { replaced: false, conflict: toMapping(other) };
          }
          const { changes } = this.#replace.run({ ...toRow(mapping), expected: expectedState });
          return { replaced: changes === 1 };
        })
        .immediate(),
    );
  }

  setLastProcessingResult(uuid: string, result: string): Promise<void> {
    return settle(() => {
      this.#setResult.run(result, uuid);
    });
  }

  deleteMapping(uuid: string): Promise<boolean> {
    return settle(() => this.#delete.run(uuid).changes === 1);
  }

  getCheckpoints(uuid: string): Promise<Map<string, string>> {
    return settle(
      () => new Map(this.#checkpoints.all(uuid).map((r) => [r.shard_id, r.sequence_number])),
    );
  }

  putCheckpoint(uuid: string, shardId: string, sequenceNumber: string): Promise<void> {
    return settle(() => {
      this.#putCheckpoint.run(uuid, shardId, sequenceNumber);
    });
  }
}
