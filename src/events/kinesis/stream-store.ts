/**
 * What the stream engine needs from durable storage. Every method is async so a PostgreSQL
 * implementation can follow the SQLite one (src/store/sqlite/streams.ts); every multi-row change
 * is one transaction inside the implementation, and appendRecords has committed when it resolves.
 */

export type StreamMode = 'PROVISIONED' | 'ON_DEMAND';

/** A stream as stored. Its status is derived from the clock (see activeMs). */
export interface StreamRow {
  /** Store-assigned and never reused, so a recreated stream is a different row. */
  readonly id: number;
  readonly name: string;
  readonly mode: StreamMode;
  readonly shardCount: number;
  readonly retentionHours: number;
  readonly createdMs: number;
  /** The stream is CREATING before this instant and ACTIVE from it on. */
  readonly activeMs: number;
}

export type NewStream = Omit<StreamRow, 'id'> & {
  /** Hash key ranges of shards 0…n-1, as decimal strings. */
  readonly shards: readonly { readonly startingHashKey: string; readonly endingHashKey: string }[];
};

export interface ShardRow {
  readonly shardIndex: number;
  readonly startingHashKey: string;
  readonly endingHashKey: string;
  /** Position of the newest record ever written to the shard (0 when none). */
  readonly lastPosition: number;
}

/** A record to append; its position is assigned by the store. */
export interface NewRecord {
  readonly shardIndex: number;
  readonly partitionKey: string;
  readonly data: Uint8Array;
  readonly arrivalMs: number;
}

export interface StoredRecord {
  readonly shardIndex: number;
  /** 1, 2, 3… within the shard, in the order records were appended. */
  readonly position: number;
  readonly arrivalMs: number;
  readonly partitionKey: string;
  readonly data: Buffer;
}

export interface StreamStore {
  /** Inserts a stream with its shards; undefined when the name is taken. */
  createStream(stream: NewStream): Promise<StreamRow | undefined>;
  getStream(name: string): Promise<StreamRow | undefined>;
  /** Streams by name, ascending, starting after `afterName`. */
  listStreams(afterName: string | undefined, limit: number): Promise<StreamRow[]>;
  /** The stream's shards by index; empty when the stream is gone. */
  listShards(streamId: number): Promise<ShardRow[]>;
  setRetentionHours(streamId: number, hours: number): Promise<void>;
  /** Removes the stream, its shards and its records. */
  deleteStream(streamId: number): Promise<void>;
  /**
   * Appends records atomically, each shard's in the given order, and returns their positions
   * in the same order. Rejects when the stream is gone.
   */
  appendRecords(streamId: number, records: readonly NewRecord[]): Promise<number[]>;
  /** Records of a shard with position > `after` and arrival >= `notBeforeMs`, oldest first. */
  readRecords(
    streamId: number,
    shardIndex: number,
    after: number,
    notBeforeMs: number,
    limit: number,
  ): Promise<StoredRecord[]>;
  /** The position of the shard's first record that arrived at or after `arrivalMs`. */
  firstPositionAtOrAfter(
    streamId: number,
    shardIndex: number,
    arrivalMs: number,
  ): Promise<number | undefined>;
  /** Deletes records that arrived before `beforeMs`; returns how many. */
  trimRecords(streamId: number, beforeMs: number): Promise<number>;
}
