/**
 * A received message as Lambda delivers it in an SQS event (spec §4.4): lower-camel keys, message
 * attributes with list members and base64 binaries, md5OfMessageAttributes only when there are
 * attributes. https://docs.aws.amazon.com/lambda/latest/dg/with-sqs.html#example-standard-queue-message-event
 */
import type { ReceivedMessage } from '../../sqs/types.js';

export interface SqsEventRecord {
  readonly messageId: string;
  readonly receiptHandle: string;
  readonly body: string;
  readonly attributes: Readonly<Record<string, string>>;
  readonly messageAttributes: Readonly<Record<string, SqsEventMessageAttribute>>;
  readonly md5OfBody: string;
  readonly md5OfMessageAttributes?: string;
  readonly eventSource: 'aws:sqs';
  readonly eventSourceARN: string;
  readonly awsRegion: string;
}

export interface SqsEventMessageAttribute {
  readonly stringValue?: string;
  readonly binaryValue?: string;
  readonly stringListValues: readonly string[];
  readonly binaryListValues: readonly string[];
  readonly dataType: string;
}

/** Lambda lists these system attributes first, in this order; the others follow as received. */
const ATTRIBUTE_ORDER = [
  'ApproximateReceiveCount',
  'AWSTraceHeader',
  'SentTimestamp',
  'SequenceNumber',
  'MessageGroupId',
  'SenderId',
  'MessageDeduplicationId',
  'ApproximateFirstReceiveTimestamp',
];

export function sqsEventRecord(
  message: ReceivedMessage,
  queueArn: string,
  region: string,
): SqsEventRecord {
  const attributes: Record<string, string> = {};
  for (const name of ATTRIBUTE_ORDER) {
    const value = message.attributes[name];
    if (value !== undefined) {
      attributes[name] = value;
    }
  }
  for (const [name, value] of Object.entries(message.attributes)) {
    attributes[name] ??= value;
  }
  const messageAttributes: Record<string, SqsEventMessageAttribute> = {};
  for (const [name, value] of Object.entries(message.messageAttributes)) {
    messageAttributes[name] = {
      ...(value.stringValue === undefined ? {} : { stringValue: value.stringValue }),
      ...(value.binaryValue === undefined
        ? {}
        : { binaryValue: Buffer.from(value.binaryValue).toString('base64') }),
      stringListValues: [],
      binaryListValues: [],
      dataType: value.dataType,
    };
  }
  return {
    messageId: message.messageId,
    receiptHandle: message.receiptHandle,
    body: message.body,
    attributes,
    messageAttributes,
    md5OfBody: message.md5OfBody,
    ...(message.md5OfMessageAttributes === undefined
      ? {}
      : { md5OfMessageAttributes: message.md5OfMessageAttributes }),
    eventSource: 'aws:sqs',
    eventSourceARN: queueArn,
    awsRegion: region,
  };
}
