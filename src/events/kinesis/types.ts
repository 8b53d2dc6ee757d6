/**
 * The built-in stream, as the Kinesis API handler and Lambda's stream poller see it. Times are
 * epoch milliseconds here; the API layer converts to Kinesis's epoch seconds.
 */
import type { StreamMode } from './stream-store.js';

export type { StreamMode } from './stream-store.js';

/** Names a stream by name or ARN (`arn:aws:kinesis:<region>:<account>:stream/<name>`). */
export interface StreamRef {
  readonly streamName?: string;
  readonly streamArn?: string;
}

export type StreamStatus = 'CREATING' | 'DELETING' | 'ACTIVE' | 'UPDATING';

export interface ShardDescription {
  readonly shardId: string;
  readonly startingHashKey: string;
  readonly endingHashKey: string;
  readonly startingSequenceNumber: string;
}

export interface StreamSummary {
  readonly streamName: string;
  readonly streamArn: string;
  readonly streamStatus: StreamStatus;
  readonly streamMode: StreamMode;
  readonly retentionPeriodHours: number;
  readonly streamCreationTimestamp: number;
  readonly openShardCount: number;
}

export interface StreamDescription extends StreamSummary {
  readonly shards: readonly ShardDescription[];
  readonly hasMoreShards: boolean;
}

/** Where reading a shard starts (GetShardIterator's ShardIteratorType and its argument). */
export type ShardPosition =
  | { readonly type: 'TRIM_HORIZON' }
  | { readonly type: 'LATEST' }
  | { readonly type: 'AT_TIMESTAMP'; readonly timestampMs: number }
  | {
      readonly type: 'AT_SEQUENCE_NUMBER' | 'AFTER_SEQUENCE_NUMBER';
      readonly sequenceNumber: string;
    };

export interface PutRecordInput {
  readonly partitionKey: string;
  readonly data: Uint8Array;
  /** Decimal 128-bit hash key that overrides the partition key's hash. */
  readonly explicitHashKey?: string;
}

export interface PutRecordResult {
  readonly shardId: string;
  readonly sequenceNumber: string;
}

export interface StreamRecord {
  readonly sequenceNumber: string;
  readonly approximateArrivalTimestamp: number;
  readonly partitionKey: string;
  readonly data: Buffer;
}

export interface GetRecordsResult {
  readonly records: readonly StreamRecord[];
  readonly nextShardIterator: string;
  readonly millisBehindLatest: number;
}

/** One read of a shard by a poller. */
export interface ShardBatch {
  readonly shardId: string;
  readonly records: readonly StreamRecord[];
  readonly millisBehindLatest: number;
  /** The sequence number to read after next time: the last record's, or the one given. */
  readonly checkpoint: string;
}

/** Shards that received records, delivered after the records are committed. */
export interface NewRecordsNotice {
  readonly streamArn: string;
  readonly shardId: string;
  /** The newest sequence number now in the shard. */
  readonly lastSequenceNumber: string;
}

export interface ListStreamsPage {
  readonly streams: readonly StreamSummary[];
  readonly hasMoreStreams: boolean;
}

export interface ListShardsPage {
  readonly shards: readonly ShardDescription[];
  /** Present when more shards follow; valid for 300 seconds. */
  readonly nextToken?: string;
}

export type ShardFilterType =
  | 'AFTER_SHARD_ID'
  | 'AT_TRIM_HORIZON'
  | 'FROM_TRIM_HORIZON'
  | 'AT_LATEST'
  | 'AT_TIMESTAMP'
  | 'FROM_TIMESTAMP';

export interface ListShardsInput {
  readonly stream?: StreamRef;
  readonly nextToken?: string;
  readonly exclusiveStartShardId?: string;
  readonly maxResults?: number;
  readonly filter?: { readonly type: ShardFilterType; readonly shardId?: string };
}

/** The engine behind the Kinesis API, plus the typed reads Lambda's stream poller uses. */
export interface StreamService {
  createStream(input: {
    readonly streamName: string;
    readonly shardCount?: number;
    readonly streamMode?: StreamMode;
  }): Promise<void>;
  describeStream(
    ref: StreamRef,
    page?: { readonly limit?: number; readonly exclusiveStartShardId?: string },
  ): Promise<StreamDescription>;
  describeStreamSummary(ref: StreamRef): Promise<StreamSummary>;
  listStreams(page?: {
    readonly limit?: number;
    readonly exclusiveStartStreamName?: string;
  }): Promise<ListStreamsPage>;
  listShards(input: ListShardsInput): Promise<ListShardsPage>;
  deleteStream(ref: StreamRef): Promise<void>;
  increaseRetentionPeriod(ref: StreamRef, hours: number): Promise<void>;
  decreaseRetentionPeriod(ref: StreamRef, hours: number): Promise<void>;

  /** Stores the record (committed when this resolves) on the shard its hash key falls in. */
  putRecord(ref: StreamRef, record: PutRecordInput): Promise<PutRecordResult>;
  /** Stores all records in one transaction; results are in request order. */
  putRecords(ref: StreamRef, records: readonly PutRecordInput[]): Promise<PutRecordResult[]>;
  getShardIterator(ref: StreamRef, shardId: string, position: ShardPosition): Promise<string>;
  getRecords(shardIterator: string, limit?: number): Promise<GetRecordsResult>;

  /** The checkpoint (a sequence number to read after) for a starting position of a shard. */
  resolveCheckpoint(ref: StreamRef, shardId: string, position: ShardPosition): Promise<string>;
  /** Up to `limit` records of the shard after `checkpoint`, in order. */
  readShard(
    ref: StreamRef,
    shardId: string,
    checkpoint: string,
    limit: number,
  ): Promise<ShardBatch>;
  /** Calls `listener` after records are committed to a shard of the stream; returns unsubscribe. */
  subscribe(streamArn: string, listener: (notice: NewRecordsNotice) => void): () => void;

  /** Deletes records older than each stream's retention period; returns how many. */
  trimExpired(): Promise<number>;
  /** Stops the trim timer and drops subscribers. */
  close(): void;
}
