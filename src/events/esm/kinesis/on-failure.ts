/**
 * The record a stream mapping sends to its OnFailure destination when it discards records (spec
 * §4.12): pointers to the records (shard and sequence range), not the records themselves.
 * https://docs.aws.amazon.com/lambda/latest/dg/kinesis-on-failure-destination.html
 */
import { randomUUID } from 'node:crypto';
import type { Clock } from '../../../core/clock.js';
import type { StreamRecord } from '../../kinesis/index.js';
import type { ResponseContext } from '../invocation.js';
import { backoffMs, pause, type OnFailureTargets } from '../poller.js';

export type DiscardCondition = 'RetryAttemptsExhausted' | 'RecordAgeExceeded';

export interface DiscardedBatch {
  readonly records: readonly StreamRecord[];
  readonly condition: DiscardCondition;
  readonly functionArn: string;
  readonly shardId: string;
  readonly streamArn: string;
  /** How many times the function was invoked with these records. */
  readonly invokeCount: number;
  /** The last invocation's answer, when there was one. */
  readonly response?: ResponseContext;
}

export function onFailureRecord(batch: DiscardedBatch, nowMs: number): Record<string, unknown> {
  const first = batch.records[0];
  const last = batch.records[batch.records.length - 1];
  if (first === undefined || last === undefined) {
    throw new Error('an OnFailure record needs at least one record');
  }
  return {
    requestContext: {
      requestId: randomUUID(),
      functionArn: batch.functionArn,
      condition: batch.condition,
      approximateInvokeCount: batch.invokeCount,
    },
    ...(batch.response === undefined
      ? {}
      : {
          responseContext: {
            statusCode: batch.response.statusCode,
            executedVersion: batch.response.executedVersion,
            functionError: batch.response.functionError ?? '',
          },
        }),
    version: '1.0',
    timestamp: new Date(nowMs).toISOString(),
    KinesisBatchInfo: {
      shardId: batch.shardId,
      startSequenceNumber: first.sequenceNumber,
      endSequenceNumber: last.sequenceNumber,
      approximateArrivalOfFirstRecord: new Date(first.approximateArrivalTimestamp).toISOString(),
      approximateArrivalOfLastRecord: new Date(last.approximateArrivalTimestamp).toISOString(),
      batchSize: batch.records.length,
      streamArn: batch.streamArn,
    },
  };
}

/** Delivery attempts before a record is given up (the records are discarded either way). */
const DELIVERY_ATTEMPTS = 3;

/** Sends the record to an SQS queue or SNS topic ARN, retrying briefly. */
export async function deliverOnFailure(
  targets: OnFailureTargets,
  destination: string,
  record: Record<string, unknown>,
  clock: Clock,
  signal: AbortSignal,
): Promise<void> {
  const body = JSON.stringify(record);
  for (let attempt = 1; ; attempt++) {
    try {
      if (/^arn:[^:]+:sns:/.test(destination)) {
        if (targets.publishToTopic === undefined) {
          throw new Error('SNS topics are not available on this server');
        }
        await targets.publishToTopic(destination, body);
      } else {
        await targets.sendToQueue(destination, body);
      }
      return;
    } catch (error) {
      if (attempt >= DELIVERY_ATTEMPTS || signal.aborted) {
        throw error;
      }
      await pause(clock, backoffMs(attempt), signal);
    }
  }
}
