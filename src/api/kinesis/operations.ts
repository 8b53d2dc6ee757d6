/**
 * The Kinesis Data Streams operations Fogbank serves: each reads its input shape (constraints from
 * the service model), calls the stream service and shapes the output as Kinesis does.
 * https://docs.aws.amazon.com/kinesis/latest/APIReference/API_Operations.html
 */
import type {
  ShardDescription,
  ShardFilterType,
  ShardPosition,
  StreamRef,
  StreamService,
  StreamSummary,
} from '../../events/kinesis/index.js';
import { invalidArgument } from '../../events/kinesis/errors.js';
import type { InputReader } from '../protocol/aws-json.js';

export type Operation = (service: StreamService, input: InputReader) => Promise<unknown>;

const STREAM_NAME = { min: 1, max: 128, pattern: /[a-zA-Z0-9_.-]+/ } as const;
const STREAM_ARN = {
  min: 1,
  max: 2048,
  pattern: /arn:aws.*:kinesis:.*:\d{12}:stream\/\S+/,
} as const;
const SHARD_ID = { min: 1, max: 128, pattern: /[a-zA-Z0-9_.-]+/ } as const;
const SEQUENCE_NUMBER = { pattern: /0|([1-9]\d{0,128})/ } as const;
const HASH_KEY = { pattern: /0|([1-9]\d{0,38})/ } as const;
const MAX_DATA = 1024 * 1024;
const ITERATOR_TYPES = [
  'AT_SEQUENCE_NUMBER',
  'AFTER_SEQUENCE_NUMBER',
  'TRIM_HORIZON',
  'LATEST',
  'AT_TIMESTAMP',
] as const;
const SHARD_FILTER_TYPES: readonly ShardFilterType[] = [
  'AFTER_SHARD_ID',
  'AT_TRIM_HORIZON',
  'FROM_TRIM_HORIZON',
  'AT_LATEST',
  'AT_TIMESTAMP',
  'FROM_TIMESTAMP',
];

/** StreamName and/or StreamARN, as most operations take them. */
function streamRef(input: InputReader): StreamRef {
  const streamName = input.string('StreamName', STREAM_NAME);
  const streamArn = input.string('StreamARN', STREAM_ARN);
  return {
    ...(streamName === undefined ? {} : { streamName }),
    ...(streamArn === undefined ? {} : { streamArn }),
  };
}

const seconds = (ms: number): number => ms / 1000;

function summaryShape(s: StreamSummary) {
  return {
    StreamName: s.streamName,
    StreamARN: s.streamArn,
    StreamStatus: s.streamStatus,
    StreamModeDetails: { StreamMode: s.streamMode },
    RetentionPeriodHours: s.retentionPeriodHours,
    StreamCreationTimestamp: seconds(s.streamCreationTimestamp),
    EnhancedMonitoring: [{ ShardLevelMetrics: [] }],
    EncryptionType: 'NONE',
  };
}

function shardShape(s: ShardDescription) {
  return {
    ShardId: s.shardId,
    HashKeyRange: { StartingHashKey: s.startingHashKey, EndingHashKey: s.endingHashKey },
    SequenceNumberRange: { StartingSequenceNumber: s.startingSequenceNumber },
  };
}

function shardPosition(input: InputReader): { shardId: string; position: ShardPosition } {
  const shardId = input.requiredString('ShardId', SHARD_ID);
  const type = input.requiredString('ShardIteratorType', { enum: ITERATOR_TYPES });
  const sequenceNumber = input.string('StartingSequenceNumber', SEQUENCE_NUMBER);
  const timestampMs = input.timestamp('Timestamp');
  input.finish();
  switch (type) {
    case 'AT_SEQUENCE_NUMBER':
    case 'AFTER_SEQUENCE_NUMBER':
      if (sequenceNumber === undefined) {
        throw invalidArgument(`You must specify a starting sequence number with ${type}.`);
      }
      return { shardId, position: { type, sequenceNumber } };
    case 'AT_TIMESTAMP':
      if (timestampMs === undefined) {
        throw invalidArgument('You must specify a timestamp with AT_TIMESTAMP.');
      }
      return { shardId, position: { type, timestampMs } };
    default:
      return { shardId, position: { type: type === 'LATEST' ? 'LATEST' : 'TRIM_HORIZON' } };
  }
}

function putEntry(entry: InputReader) {
  const data = entry.requiredBlob('Data', { max: MAX_DATA });
  const partitionKey = entry.requiredString('PartitionKey', { min: 1, max: 256 });
  const explicitHashKey = entry.string('ExplicitHashKey', HASH_KEY);
  return { data, partitionKey, ...(explicitHashKey === undefined ? {} : { explicitHashKey }) };
}

export const OPERATIONS: Readonly<Record<string, Operation>> = {
  async CreateStream(service, input) {
    const streamName = input.requiredString('StreamName', STREAM_NAME);
    const shardCount = input.integer('ShardCount', { min: 1 });
    const mode = input.structure('StreamModeDetails')?.requiredString('StreamMode', {
      enum: ['PROVISIONED', 'ON_DEMAND'],
    });
    input.finish();
    await service.createStream({
      streamName,
      ...(shardCount === undefined ? {} : { shardCount }),
      ...(mode === 'ON_DEMAND' || mode === 'PROVISIONED' ? { streamMode: mode } : {}),
    });
    return {};
  },

  async DescribeStream(service, input) {
    const ref = streamRef(input);
    const limit = input.integer('Limit', { min: 1, max: 10000 });
    const exclusiveStartShardId = input.string('ExclusiveStartShardId', SHARD_ID);
    input.finish();
    const d = await service.describeStream(ref, {
      ...(limit === undefined ? {} : { limit }),
      ...(exclusiveStartShardId === undefined ? {} : { exclusiveStartShardId }),
    });
    return {
      StreamDescription: {
        ...summaryShape(d),
        Shards: d.shards.map(shardShape),
        HasMoreShards: d.hasMoreShards,
      },
    };
  },

  async DescribeStreamSummary(service, input) {
    const ref = streamRef(input);
    input.finish();
    const s = await service.describeStreamSummary(ref);
    return {
      StreamDescriptionSummary: {
        ...summaryShape(s),
        OpenShardCount: s.openShardCount,
        ConsumerCount: 0,
      },
    };
  },

  async ListStreams(service, input) {
    const limit = input.integer('Limit', { min: 1, max: 10000 });
    const start = input.string('ExclusiveStartStreamName', STREAM_NAME);
    const nextToken = input.string('NextToken', { min: 1, max: 1048576 });
    input.finish();
    const after =
      nextToken === undefined ? start : Buffer.from(nextToken, 'base64').toString('utf8');
    const page = await service.listStreams({
      ...(limit === undefined ? {} : { limit }),
      ...(after === undefined ? {} : { exclusiveStartStreamName: after }),
    });
    const last = page.streams.at(-1);
    return {
      StreamNames: page.streams.map((s) => s.streamName),
      HasMoreStreams: page.hasMoreStreams,
      ...(page.hasMoreStreams && last !== undefined
        ? { NextToken: Buffer.from(last.streamName, 'utf8').toString('base64') }
        : {}),
      StreamSummaries: page.streams.map((s) => ({
        StreamName: s.streamName,
        StreamARN: s.streamArn,
        StreamStatus: s.streamStatus,
        StreamModeDetails: { StreamMode: s.streamMode },
        StreamCreationTimestamp: seconds(s.streamCreationTimestamp),
      })),
    };
  },

  async ListShards(service, input) {
    const ref = streamRef(input);
    const nextToken = input.string('NextToken', { min: 1, max: 1048576 });
    const exclusiveStartShardId = input.string('ExclusiveStartShardId', SHARD_ID);
    const maxResults = input.integer('MaxResults', { min: 1, max: 10000 });
    input.timestamp('StreamCreationTimestamp');
    const filterInput = input.structure('ShardFilter');
    const filterType = filterInput?.requiredString('Type', { enum: SHARD_FILTER_TYPES });
    const filterShardId = filterInput?.string('ShardId', SHARD_ID);
    filterInput?.timestamp('Timestamp');
    input.finish();
    const filter = SHARD_FILTER_TYPES.find((t) => t === filterType);
    if (filter === 'AFTER_SHARD_ID' && filterShardId === undefined) {
      throw invalidArgument('ShardFilter of type AFTER_SHARD_ID requires a ShardId.');
    }
    const page = await service.listShards({
      ...(ref.streamName === undefined && ref.streamArn === undefined ? {} : { stream: ref }),
      ...(nextToken === undefined ? {} : { nextToken }),
      ...(exclusiveStartShardId === undefined ? {} : { exclusiveStartShardId }),
      ...(maxResults === undefined ? {} : { maxResults }),
      ...(filter === undefined
        ? {}
        : {
            filter: {
              type: filter,
              ...(filterShardId === undefined ? {} : { shardId: filterShardId }),
            },
          }),
    });
    return {
      Shards: page.shards.map(shardShape),
      ...(page.nextToken === undefined ? {} : { NextToken: page.nextToken }),
    };
  },

  async DeleteStream(service, input) {
    const ref = streamRef(input);
    input.boolean('EnforceConsumerDeletion');
    input.finish();
    await service.deleteStream(ref);
    return {};
  },

  async IncreaseStreamRetentionPeriod(service, input) {
    const ref = streamRef(input);
    const hours = input.requiredInteger('RetentionPeriodHours');
    input.finish();
    await service.increaseRetentionPeriod(ref, hours);
    return {};
  },

  async DecreaseStreamRetentionPeriod(service, input) {
    const ref = streamRef(input);
    const hours = input.requiredInteger('RetentionPeriodHours');
    input.finish();
    await service.decreaseRetentionPeriod(ref, hours);
    return {};
  },

  async PutRecord(service, input) {
    const ref = streamRef(input);
    const entry = putEntry(input);
    // Accepted for compatibility: sequence numbers of one shard always increase here.
    input.string('SequenceNumberForOrdering', SEQUENCE_NUMBER);
    input.finish();
    const result = await service.putRecord(ref, entry);
    return { ShardId: result.shardId, SequenceNumber: result.sequenceNumber };
  },

  async PutRecords(service, input) {
    const ref = streamRef(input);
    const entries = input.requiredStructureList('Records', { min: 1, max: 500 }).map(putEntry);
    input.finish();
    const results = await service.putRecords(ref, entries);
    return {
      FailedRecordCount: 0,
      Records: results.map((r) => ({ SequenceNumber: r.sequenceNumber, ShardId: r.shardId })),
    };
  },

  async GetShardIterator(service, input) {
    const ref = streamRef(input);
    const { shardId, position } = shardPosition(input);
    return { ShardIterator: await service.getShardIterator(ref, shardId, position) };
  },

  async GetRecords(service, input) {
    const iterator = input.requiredString('ShardIterator', { min: 1, max: 512 });
    const limit = input.integer('Limit', { min: 1, max: 10000 });
    input.string('StreamARN', STREAM_ARN);
    input.finish();
    const page = await service.getRecords(iterator, limit);
    return {
      Records: page.records.map((r) => ({
        SequenceNumber: r.sequenceNumber,
        ApproximateArrivalTimestamp: seconds(r.approximateArrivalTimestamp),
        Data: r.data.toString('base64'),
        PartitionKey: r.partitionKey,
      })),
      NextShardIterator: page.nextShardIterator,
      MillisBehindLatest: page.millisBehindLatest,
    };
  },
};
