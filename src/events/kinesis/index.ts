/**
 * The built-in stream: a Kinesis Data Streams subset, durable in the Store, that producers reach
 * through the Kinesis API (src/api/kinesis) and Lambda's stream poller reads directly.
 */
import type { AccountContext } from '../../core/arn.js';
import type { Clock, TimerHandle } from '../../core/clock.js';
import { StreamCatalog } from './stream-catalog.js';
import { StreamData } from './stream-data.js';
import type { StreamStore } from './stream-store.js';
import type { StreamService } from './types.js';

export type * from './types.js';
export type * from './stream-store.js';
export {
  kinesisEventRecord,
  type KinesisEventRecord,
  type KinesisEventSource,
} from './event-record.js';

export interface StreamServiceOptions {
  readonly store: StreamStore;
  readonly clock: Clock;
  readonly ctx: AccountContext;
  /** How long a new stream stays CREATING before it turns ACTIVE (default 0). */
  readonly activationDelayMs?: number;
  /** Most shards one stream may have (default 500, Kinesis's default quota). */
  readonly shardLimit?: number;
  /** How often records past their retention are deleted (default 60 s; reads skip them anyway). */
  readonly trimIntervalMs?: number;
  /** Receives failures no caller can see: of the trim timer and of subscribers. */
  readonly onError?: (error: unknown) => void;
}

export function createStreamService(options: StreamServiceOptions): StreamService {
  const catalog = new StreamCatalog(options);
  const onError = options.onError ?? (() => undefined);
  const data = new StreamData(catalog, onError);
  const { clock } = options;
  const trimIntervalMs = options.trimIntervalMs ?? 60_000;
  let timer: TimerHandle | undefined;
  let closed = false;
  const scheduleTrim = (): void => {
    if (closed) {
      return;
    }
    timer = clock.setTimeout(() => {
      data.trimExpired().then(scheduleTrim, (err: unknown) => {
        onError(err);
        scheduleTrim();
      });
    }, trimIntervalMs);
  };
  scheduleTrim();

  return {
    createStream: (input) => catalog.createStream(input),
    describeStream: (ref, page) => catalog.describeStream(ref, page),
    describeStreamSummary: (ref) => catalog.describeStreamSummary(ref),
    listStreams: (page) => catalog.listStreams(page),
    listShards: (input) => catalog.listShards(input),
    deleteStream: (ref) => catalog.deleteStream(ref),
    increaseRetentionPeriod: (ref, hours) => catalog.changeRetention(ref, hours, 'increase'),
    decreaseRetentionPeriod: (ref, hours) => catalog.changeRetention(ref, hours, 'decrease'),
    putRecord: (ref, record) => data.putRecord(ref, record),
    putRecords: (ref, records) => data.putRecords(ref, records),
    getShardIterator: (ref, shardId, position) => data.getShardIterator(ref, shardId, position),
    getRecords: (iterator, limit) => data.getRecords(iterator, limit),
    resolveCheckpoint: (ref, shardId, position) => data.resolveCheckpoint(ref, shardId, position),
    readShard: (ref, shardId, checkpoint, limit) => data.readShard(ref, shardId, checkpoint, limit),
    subscribe: (streamArn, listener) => data.subscribe(streamArn, listener),
    trimExpired: () => data.trimExpired(),
    close: () => {
      closed = true;
      if (timer !== undefined) {
        clock.clearTimeout(timer);
        timer = undefined;
      }
      data.close();
    },
  };
}
