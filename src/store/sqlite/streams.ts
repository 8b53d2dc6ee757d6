/**
 * The built-in Kinesis-compatible stream's tables in the shared SQLite database, and the
 * StreamStore over them (better-sqlite3 is synchronous; the async methods keep the interface
 * open to PostgreSQL). Records are keyed (stream, shard, position) so a shard reads as one
 * index range; a shard row's `last_position` hands out positions inside the append transaction.
 */
import type { Database, Statement } from 'better-sqlite3';
import type {
  NewRecord,
  NewStream,
  ShardRow,
  StoredRecord,
  StreamMode,
  StreamRow,
  StreamStore,
} from '../../events/kinesis/stream-store.js';

/** Creates the stream tables if they are missing; safe to run on every start. */
export function migrateStreams(db: Database): void {
  db.exec(`
    CREATE TABLE IF NOT EXISTS kinesis_streams (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      name TEXT NOT NULL UNIQUE,
      mode TEXT NOT NULL,
      shard_count INTEGER NOT NULL,
      retention_hours INTEGER NOT NULL,
      created_ms INTEGER NOT NULL,
      active_ms INTEGER NOT NULL
    ) STRICT;

    CREATE TABLE IF NOT EXISTS kinesis_shards (
      stream_id INTEGER NOT NULL,
      shard_index INTEGER NOT NULL,
      starting_hash_key TEXT NOT NULL,
      ending_hash_key TEXT NOT NULL,
      last_position INTEGER NOT NULL DEFAULT 0,
      PRIMARY KEY (stream_id, shard_index)
    ) STRICT;

    CREATE TABLE IF NOT EXISTS kinesis_records (
      stream_id INTEGER NOT NULL,
      shard_index INTEGER NOT NULL,
      position INTEGER NOT NULL,
      arrival_ms INTEGER NOT NULL,
      partition_key TEXT NOT NULL,
      data BLOB NOT NULL,
      PRIMARY KEY (stream_id, shard_index, position)
    ) STRICT;
  `);
}

interface StreamDbRow {
  id: number;
  name: string;
  mode: string;
  shard_count: number;
  retention_hours: number;
  created_ms: number;
  active_ms: number;
}

interface ShardDbRow {
  shard_index: number;
  starting_hash_key: string;
  ending_hash_key: string;
  last_position: number;
}

interface RecordDbRow {
  position: number;
  arrival_ms: number;
  partition_key: string;
  data: Buffer;
}

function toStream(row: StreamDbRow): StreamRow {
  return {
    id: row.id,
    name: row.name,
    mode: row.mode as StreamMode,
    shardCount: row.shard_count,
    retentionHours: row.retention_hours,
    createdMs: row.created_ms,
    activeMs: row.active_ms,
  };
}

/** StreamStore on better-sqlite3. Call migrateStreams(db) first. */
export class SqliteStreamStore implements StreamStore {
  readonly #insertStream: Statement<[string, string, number, number, number, number]>;
  readonly #insertShard: Statement<[number, number, string, string]>;
  readonly #getStream: Statement<[string], StreamDbRow>;
  readonly #listStreams: Statement<[string, number], StreamDbRow>;
  readonly #listShards: Statement<[number], ShardDbRow>;
  readonly #setRetention: Statement<[number, number]>;
  readonly #deleteRecords: Statement<[number]>;
  readonly #deleteShards: Statement<[number]>;
  readonly #deleteStream: Statement<[number]>;
  readonly #bumpShard: Statement<[number, number, number], { last_position: number }>;
  readonly #insertRecord: Statement<[number, number, number, number, string, Uint8Array]>;
  readonly #readRecords: Statement<[number, number, number, number, number], RecordDbRow>;
  readonly #firstAtOrAfter: Statement<[number, number, number], { position: number }>;
  readonly #shardIndexes: Statement<[number], { shard_index: number; last_position: number }>;
  readonly #trimShard: Statement<[number, number, number]>;
  readonly #create: (stream: NewStream) => StreamRow | undefined;
  readonly #delete: (streamId: number) => void;
  readonly #append: (streamId: number, records: readonly NewRecord[]) => number[];
  readonly #trim: (streamId: number, beforeMs: number) => number;

  constructor(db: Database) {
    this.#insertStream = db.prepare(
      `INSERT INTO kinesis_streams (name, mode, shard_count, retention_hours, created_ms, active_ms)
       VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (name) DO NOTHING`,
    );
    this.#insertShard = db.prepare(
      `INSERT INTO kinesis_shards (stream_id, shard_index, starting_hash_key, ending_hash_key)
       VALUES (?, ?, ?, ?)`,
    );
    this.#getStream = db.prepare('SELECT * FROM kinesis_streams WHERE name = ?');
    this.#listStreams = db.prepare(
      'SELECT * FROM kinesis_streams WHERE name > ? ORDER BY name LIMIT ?',
    );
    this.#listShards = db.prepare(
      `SELECT shard_index, starting_hash_key, ending_hash_key, last_position
       FROM kinesis_shards WHERE stream_id = ? ORDER BY shard_index`,
    );
    this.#setRetention = db.prepare('UPDATE kinesis_streams SET retention_hours = ? WHERE id = ?');
    this.#deleteRecords = db.prepare('DELETE FROM kinesis_records WHERE stream_id = ?');
    this.#deleteShards = db.prepare('DELETE FROM kinesis_shards WHERE stream_id = ?');
    this.#deleteStream = db.prepare('DELETE FROM kinesis_streams WHERE id = ?');
    this.#bumpShard = db.prepare(
      `UPDATE kinesis_shards SET last_position = last_position + ?
       WHERE stream_id = ? AND shard_index = ? RETURNING last_position`,
    );
    this.#insertRecord = db.prepare(
      `INSERT INTO kinesis_records (stream_id, shard_index, position, arrival_ms, partition_key, data)
       VALUES (?, ?, ?, ?, ?, ?)`,
    );
    this.#readRecords = db.prepare(
      `SELECT position, arrival_ms, partition_key, data FROM kinesis_records
       WHERE stream_id = ? AND shard_index = ? AND position > ? AND arrival_ms >= ?
       ORDER BY position LIMIT ?`,
    );
    this.#firstAtOrAfter = db.prepare(
      `SELECT position FROM kinesis_records
       WHERE stream_id = ? AND shard_index = ? AND arrival_ms >= ? ORDER BY position LIMIT 1`,
    );
    this.#shardIndexes = db.prepare(
      'SELECT shard_index, last_position FROM kinesis_shards WHERE stream_id = ?',
    );
    this.#trimShard = db.prepare(
      'DELETE FROM kinesis_records WHERE stream_id = ? AND shard_index = ? AND position < ?',
    );

    this.#create = db.transaction((s: NewStream) => {
      const result = this.#insertStream.run(
        s.name,
        s.mode,
        s.shardCount,
        s.retentionHours,
        s.createdMs,
        s.activeMs,
      );
      if (result.changes === 0) {
        return undefined;
      }
      const id = Number(result.lastInsertRowid);
      s.shards.forEach((shard, index) => {
        this.#insertShard.run(id, index, shard.startingHashKey, shard.endingHashKey);
      });
      return {
        id,
        name: s.name,
        mode: s.mode,
        shardCount: s.shardCount,
        retentionHours: s.retentionHours,
        createdMs: s.createdMs,
        activeMs: s.activeMs,
      };
    });
    this.#delete = db.transaction((streamId: number) => {
      this.#deleteRecords.run(streamId);
      this.#deleteShards.run(streamId);
      this.#deleteStream.run(streamId);
    });
    this.#append = db.transaction((streamId: number, records: readonly NewRecord[]) => {
      const perShard = new Map<number, number>();
      for (const r of records) {
        perShard.set(r.shardIndex, (perShard.get(r.shardIndex) ?? 0) + 1);
      }
      const next = new Map<number, number>();
      for (const [shardIndex, count] of perShard) {
        const row = this.#bumpShard.get(count, streamId, shardIndex);
        if (row === undefined) {
          throw new Error(`stream ${streamId} has no shard ${shardIndex}`);
        }
        next.set(shardIndex, row.last_position - count + 1);
      }
      return records.map((r) => {
        const position = next.get(r.shardIndex) ?? 0;
        next.set(r.shardIndex, position + 1);
        this.#insertRecord.run(
          streamId,
          r.shardIndex,
          position,
          r.arrivalMs,
          r.partitionKey,
          r.data,
        );
        return position;
      });
    });
    // Arrival times grow with positions in a shard, so the expired records are a prefix of it:
    // find where it ends, then delete by the primary key range.
    this.#trim = db.transaction((streamId: number, beforeMs: number) => {
      let deleted = 0;
      for (const shard of this.#shardIndexes.all(streamId)) {
        const keep = this.#firstAtOrAfter.get(streamId, shard.shard_index, beforeMs);
        const end = keep?.position ?? shard.last_position + 1;
        deleted += this.#trimShard.run(streamId, shard.shard_index, end).changes;
      }
      return deleted;
    });
  }

  createStream(stream: NewStream): Promise<StreamRow | undefined> {
    return Promise.resolve(this.#create(stream));
  }

  getStream(name: string): Promise<StreamRow | undefined> {
    const row = this.#getStream.get(name);
    return Promise.resolve(row === undefined ? undefined : toStream(row));
  }

  listStreams(afterName: string | undefined, limit: number): Promise<StreamRow[]> {
    return Promise.resolve(this.#listStreams.all(afterName ?? '', limit).map(toStream));
  }

  listShards(streamId: number): Promise<ShardRow[]> {
    return Promise.resolve(
      this.#listShards.all(streamId).map((r) => ({
        shardIndex: r.shard_index,
        startingHashKey: r.starting_hash_key,
        endingHashKey: r.ending_hash_key,
        lastPosition: r.last_position,
      })),
    );
  }

  setRetentionHours(streamId: number, hours: number): Promise<void> {
    this.#setRetention.run(hours, streamId);
    return Promise.resolve();
  }

  deleteStream(streamId: number): Promise<void> {
    this.#delete(streamId);
    return Promise.resolve();
  }

  appendRecords(streamId: number, records: readonly NewRecord[]): Promise<number[]> {
    return Promise.resolve(this.#append(streamId, records));
  }

  readRecords(
    streamId: number,
    shardIndex: number,
    after: number,
    notBeforeMs: number,
    limit: number,
  ): Promise<StoredRecord[]> {
    const rows = this.#readRecords.all(streamId, shardIndex, after, notBeforeMs, limit);
    return Promise.resolve(
      rows.map((r) => ({
        shardIndex,
        position: r.position,
        arrivalMs: r.arrival_ms,
        partitionKey: r.partition_key,
        data: r.data,
      })),
    );
  }

  firstPositionAtOrAfter(
    streamId: number,
    shardIndex: number,
    arrivalMs: number,
  ): Promise<number | undefined> {
    return Promise.resolve(this.#firstAtOrAfter.get(streamId, shardIndex, arrivalMs)?.position);
  }

  trimRecords(streamId: number, beforeMs: number): Promise<number> {
    return Promise.resolve(this.#trim(streamId, beforeMs));
  }
}
