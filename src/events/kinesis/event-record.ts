/**
 * A stream record as Lambda delivers it to a function in a Kinesis event (`Records[]`).
 * https://docs.aws.amazon.com/lambda/latest/dg/with-kinesis.html#services-kinesis-event-example
 */
import type { StreamRecord } from './types.js';

export interface KinesisEventRecord {
  readonly kinesis: {
    readonly kinesisSchemaVersion: '1.0';
    readonly partitionKey: string;
    readonly sequenceNumber: string;
    /** The record's data, base64-encoded. */
    readonly data: string;
    /** Epoch seconds, with milliseconds as the fraction. */
    readonly approximateArrivalTimestamp: number;
  };
  readonly eventSource: 'aws:kinesis';
  readonly eventVersion: '1.0';
  readonly eventID: string;
  readonly eventName: 'aws:kinesis:record';
  readonly invokeIdentityArn: string;
  readonly awsRegion: string;
  readonly eventSourceARN: string;
}

export interface KinesisEventSource {
  readonly shardId: string;
  readonly streamArn: string;
  readonly region: string;
  /** The function's execution role. */
  readonly invokeIdentityArn: string;
}

export function kinesisEventRecord(
  record: StreamRecord,
  source: KinesisEventSource,
): KinesisEventRecord {
  return {
    kinesis: {
      kinesisSchemaVersion: '1.0',
      partitionKey: record.partitionKey,
      sequenceNumber: record.sequenceNumber,
      data: record.data.toString('base64'),
      approximateArrivalTimestamp: record.approximateArrivalTimestamp / 1000,
    },
    eventSource: 'aws:kinesis',
    eventVersion: '1.0',
    eventID: `${source.shardId}:${record.sequenceNumber}`,
    eventName: 'aws:kinesis:record',
    invokeIdentityArn: source.invokeIdentityArn,
    awsRegion: source.region,
    eventSourceARN: source.streamArn,
  };
}
