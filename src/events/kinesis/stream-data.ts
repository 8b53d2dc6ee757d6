/**
 * Records: writing them to the shard their hash key falls in, positions to start reading from,
 * reading a shard in order (for GetRecords and for Lambda's poller), change notifications and
 * retention. https://docs.aws.amazon.com/kinesis/latest/APIReference/API_GetRecords.html
 */
import { EventEmitter } from 'node:events';
import { expiredIterator, invalidArgument, streamNotFound } from './errors.js';
import { parseHashKey, partitionKeyHash, shardIndexForHash } from './hash-keys.js';
import {
  formatSequenceNumber,
  formatShardId,
  parseSequenceNumber,
  type SequencePosition,
} from './sequence-numbers.js';
import { ITERATOR_TTL_MS, decodeShardIterator, encodeShardIterator } from './shard-iterator.js';
import type { StreamCatalog } from './stream-catalog.js';
import type { NewRecord, StreamRow } from './stream-store.js';
import type {
  GetRecordsResult,
  NewRecordsNotice,
  PutRecordInput,
  PutRecordResult,
  ShardBatch,
  ShardPosition,
  StreamRecord,
  StreamRef,
} from './types.js';

/** A record's partition key and data together may not exceed 1 MiB, a PutRecords call 5 MiB. */
export const MAX_RECORD_BYTES = 1024 * 1024;
export const MAX_PUT_RECORDS_BYTES = 5 * 1024 * 1024;
/** GetRecords returns at most 10,000 records and about 10 MiB. */
export const MAX_GET_RECORDS = 10_000;
export const MAX_GET_RECORDS_BYTES = 10 * 1024 * 1024;

interface ShardRead {
  readonly records: StreamRecord[];
  readonly after: number;
  readonly millisBehindLatest: number;
}

export class StreamData {
  readonly #catalog: StreamCatalog;
  readonly #events = new EventEmitter();
  readonly #onError: (error: unknown) => void;

  constructor(catalog: StreamCatalog, onError: (error: unknown) => void) {
    this.#catalog = catalog;
    this.#onError = onError;
    // One listener per polled stream and mapping; their number is not a leak.
    this.#events.setMaxListeners(0);
  }

  async putRecord(ref: StreamRef, record: PutRecordInput): Promise<PutRecordResult> {
    const [result] = await this.putRecords(ref, [record]);
    if (result === undefined) {
      throw new Error('unreachable: one record in, one result out');
    }
    return result;
  }

  async putRecords(ref: StreamRef, records: readonly PutRecordInput[]): Promise<PutRecordResult[]> {
    const stream = await this.#catalog.resolveActive(ref);
    const ranges = await this.#catalog.hashKeyRanges(stream);
    const arrivalMs = this.#catalog.clock.now();
    let total = 0;
    const rows: NewRecord[] = records.map((r) => {
      const size = r.data.byteLength + Buffer.byteLength(r.partitionKey, 'utf8');
      if (size > MAX_RECORD_BYTES) {
        throw invalidArgument(
          `Record size (${size} bytes) exceeds the limit of ${MAX_RECORD_BYTES} bytes for the partition key and data together.`,
        );
      }
      total += size;
      let hash: bigint;
      if (r.explicitHashKey === undefined) {
        hash = partitionKeyHash(r.partitionKey);
      } else {
        const parsed = parseHashKey(r.explicitHashKey);
        if (parsed === undefined) {
          throw invalidArgument(
            `Invalid ExplicitHashKey. ExplicitHashKey must be in the range: [0, 2^128-1]. Specified value was ${r.explicitHashKey}`,
          );
        }
        hash = parsed;
      }
      const shardIndex = shardIndexForHash(ranges, hash);
      return { shardIndex, partitionKey: r.partitionKey, data: r.data, arrivalMs };
    });
    if (total > MAX_PUT_RECORDS_BYTES) {
      throw invalidArgument(
        `Records size (${total} bytes) exceeds the limit of ${MAX_PUT_RECORDS_BYTES} bytes for a PutRecords request.`,
      );
    }
    let positions: number[];
    try {
      positions = await this.#catalog.store.appendRecords(stream.id, rows);
    } catch (err) {
      // The stream was deleted between the lookup and the write.
      if ((await this.#catalog.store.getStream(stream.name))?.id !== stream.id) {
        throw streamNotFound(stream.name, this.#catalog.ctx);
      }
      throw err;
    }
    const results = rows.map((row, i) => ({
      shardId: formatShardId(row.shardIndex),
      sequenceNumber: this.#sequenceNumber(stream, row.shardIndex, positions[i] ?? 0),
    }));
    this.#notify(stream, results);
    return results;
  }

  async getShardIterator(
    ref: StreamRef,
    shardId: string,
    position: ShardPosition,
  ): Promise<string> {
    const stream = await this.#catalog.resolveActive(ref);
    const shardIndex = this.#catalog.shardIndex(stream, shardId);
    const after = await this.#resolvePosition(stream, shardIndex, position);
    return this.#iterator(stream, shardIndex, after);
  }

  async getRecords(shardIterator: string, limit = MAX_GET_RECORDS): Promise<GetRecordsResult> {
    const state = decodeShardIterator(shardIterator);
    if (state === undefined) {
      throw invalidArgument('Invalid ShardIterator.');
    }
    const now = this.#catalog.clock.now();
    if (now - state.issuedMs > ITERATOR_TTL_MS) {
      throw expiredIterator(
        `Iterator expired. The iterator was created at time ${new Date(state.issuedMs).toUTCString()} while right now it is ${new Date(now).toUTCString()} which is further in the future than the tolerated delay of ${ITERATOR_TTL_MS} milliseconds.`,
      );
    }
    const stream = await this.#catalog.store.getStream(state.streamName);
    if (stream?.createdMs !== state.streamCreatedMs || state.shardIndex >= stream.shardCount) {
      throw streamNotFound(state.streamName, this.#catalog.ctx);
    }
    const read = await this.#read(stream, state.shardIndex, state.after, limit);
    return {
      records: read.records,
      nextShardIterator: this.#iterator(stream, state.shardIndex, read.after),
      millisBehindLatest: read.millisBehindLatest,
    };
  }

  async resolveCheckpoint(
    ref: StreamRef,
    shardId: string,
    position: ShardPosition,
  ): Promise<string> {
    const stream = await this.#catalog.resolveActive(ref);
    const shardIndex = this.#catalog.shardIndex(stream, shardId);
    const after = await this.#resolvePosition(stream, shardIndex, position);
    return this.#sequenceNumber(stream, shardIndex, after);
  }

  async readShard(
    ref: StreamRef,
    shardId: string,
    checkpoint: string,
    limit: number,
  ): Promise<ShardBatch> {
    const stream = await this.#catalog.resolveActive(ref);
    const shardIndex = this.#catalog.shardIndex(stream, shardId);
    const at = this.#ownSequenceNumber(stream, shardIndex, checkpoint, 'checkpoint');
    const read = await this.#read(stream, shardIndex, at.position, limit);
    return {
      shardId,
      records: read.records,
      millisBehindLatest: read.millisBehindLatest,
      checkpoint: this.#sequenceNumber(stream, shardIndex, read.after),
    };
  }

  subscribe(streamArn: string, listener: (notice: NewRecordsNotice) => void): () => void {
    this.#events.on(streamArn, listener);
    return () => this.#events.off(streamArn, listener);
  }

  async trimExpired(): Promise<number> {
    const now = this.#catalog.clock.now();
    let trimmed = 0;
    for await (const stream of this.#catalog.allStreams()) {
      trimmed += await this.#catalog.store.trimRecords(stream.id, now - retentionMs(stream));
    }
    return trimmed;
  }

  close(): void {
    this.#events.removeAllListeners();
  }

  /** The position after which reading starts; records past retention are never returned. */
  async #resolvePosition(
    stream: StreamRow,
    shardIndex: number,
    position: ShardPosition,
  ): Promise<number> {
    const store = this.#catalog.store;
    switch (position.type) {
      case 'TRIM_HORIZON':
        return 0;
      case 'LATEST':
        return (await this.#catalog.shard(stream, shardIndex)).lastPosition;
      case 'AT_TIMESTAMP': {
        // A record at or after the timestamp, else the tip: a future timestamp reads like LATEST.
        const first = await store.firstPositionAtOrAfter(
          stream.id,
          shardIndex,
          position.timestampMs,
        );
        return first === undefined
          ? (await this.#catalog.shard(stream, shardIndex)).lastPosition
          : first - 1;
      }
      case 'AT_SEQUENCE_NUMBER':
      case 'AFTER_SEQUENCE_NUMBER': {
        const at = this.#ownSequenceNumber(
          stream,
          shardIndex,
          position.sequenceNumber,
          'StartingSequenceNumber',
        );
        const last = (await this.#catalog.shard(stream, shardIndex)).lastPosition;
        if (at.position > last) {
          throw invalidArgument(
            `StartingSequenceNumber ${position.sequenceNumber} used in GetShardIterator on shard ${formatShardId(shardIndex)} in stream ${stream.name} under account ${this.#catalog.ctx.accountId} is invalid because it did not come from this stream.`,
          );
        }
        return position.type === 'AT_SEQUENCE_NUMBER' ? Math.max(0, at.position - 1) : at.position;
      }
    }
  }

  /** A sequence number issued for this stream and shard (a checkpoint may be position 0). */
  #ownSequenceNumber(
    stream: StreamRow,
    shardIndex: number,
    sequenceNumber: string,
    member: string,
  ): SequencePosition {
    const at = parseSequenceNumber(sequenceNumber);
    if (at === undefined || at.streamCreatedMs !== stream.createdMs) {
      throw invalidArgument(
        `${member} ${sequenceNumber} used on shard ${formatShardId(shardIndex)} in stream ${stream.name} under account ${this.#catalog.ctx.accountId} is invalid because it did not come from this stream.`,
      );
    }
    if (at.shardIndex !== shardIndex) {
      throw invalidArgument(
        `Invalid ${member}. It encodes ${formatShardId(at.shardIndex)}, while it was used in a call to a shard with ${formatShardId(shardIndex)}`,
      );
    }
    return at;
  }

  /**
   * Up to `limit` records after `after`, within about 10 MiB (at least one record). Behind the
   * tip by the age of the oldest record not returned; 0 when caught up.
   */
  async #read(
    stream: StreamRow,
    shardIndex: number,
    after: number,
    limit: number,
  ): Promise<ShardRead> {
    const now = this.#catalog.clock.now();
    const wanted = Math.max(1, Math.min(limit, MAX_GET_RECORDS));
    const rows = await this.#catalog.store.readRecords(
      stream.id,
      shardIndex,
      after,
      now - retentionMs(stream),
      wanted + 1,
    );
    const records: StreamRecord[] = [];
    let bytes = 0;
    let next = after;
    for (const row of rows) {
      bytes += row.data.byteLength + Buffer.byteLength(row.partitionKey, 'utf8');
      if (records.length === wanted || (records.length > 0 && bytes > MAX_GET_RECORDS_BYTES)) {
        return { records, after: next, millisBehindLatest: Math.max(0, now - row.arrivalMs) };
      }
      records.push({
        sequenceNumber: this.#sequenceNumber(stream, shardIndex, row.position),
        approximateArrivalTimestamp: row.arrivalMs,
        partitionKey: row.partitionKey,
        data: row.data,
      });
      next = row.position;
    }
    return { records, after: next, millisBehindLatest: 0 };
  }

  #iterator(stream: StreamRow, shardIndex: number, after: number): string {
    return encodeShardIterator({
      streamName: stream.name,
      streamCreatedMs: stream.createdMs,
      shardIndex,
      after,
      issuedMs: this.#catalog.clock.now(),
    });
  }

  #sequenceNumber(stream: StreamRow, shardIndex: number, position: number): string {
    return formatSequenceNumber({ streamCreatedMs: stream.createdMs, shardIndex, position });
  }

  #notify(stream: StreamRow, results: readonly PutRecordResult[]): void {
    const streamArn = this.#catalog.streamArn(stream.name);
    if (this.#events.listenerCount(streamArn) === 0) {
      return;
    }
    const newest = new Map<string, string>();
    for (const r of results) {
      newest.set(r.shardId, r.sequenceNumber);
    }
    for (const [shardId, lastSequenceNumber] of newest) {
      const notice: NewRecordsNotice = { streamArn, shardId, lastSequenceNumber };
      // A failing subscriber must not turn a committed write into an error for the producer.
      for (const listener of this.#events.listeners(streamArn)) {
        try {
          (listener as (n: NewRecordsNotice) => void)(notice);
        } catch (err) {
          this.#onError(err);
        }
      }
    }
  }
}

function retentionMs(stream: StreamRow): number {
  return stream.retentionHours * 3_600_000;
}
