/**
 * A published message as each kind of subscriber receives it: the SNS event Lambda is invoked
 * with (spec §4.8), the JSON envelope SQS subscribers get as the message body, and the raw form
 * (body as published, attributes carried over) for RawMessageDelivery.
 * https://docs.aws.amazon.com/lambda/latest/dg/with-sns.html
 * https://docs.aws.amazon.com/sns/latest/dg/sns-sqs-as-subscriber.html
 */
import { createHash } from 'node:crypto';
import type { MessageAttribute } from '../../invoke/destinations.js';
import type { SnsMessageAttributes } from './types.js';

/** An attribute as stored with a pending delivery: binary values base64-encoded. */
export interface StoredAttribute {
  readonly DataType: string;
  readonly StringValue?: string;
  readonly BinaryValue?: string;
}

/** One message for one subscription, as stored until delivered. */
export interface Notification {
  readonly messageId: string;
  readonly topicArn: string;
  readonly subject?: string;
  /** The message for this subscription's protocol (MessageStructure already applied). */
  readonly message: string;
  /** When the topic accepted the message (ms since the epoch). */
  readonly timestamp: number;
  readonly attributes: Readonly<Record<string, StoredAttribute>>;
}

export function storedAttributes(
  attributes: SnsMessageAttributes,
): Record<string, StoredAttribute> {
  const stored: Record<string, StoredAttribute> = {};
  for (const [name, a] of Object.entries(attributes)) {
    stored[name] =
      a.BinaryValue !== undefined
        ? { DataType: a.DataType, BinaryValue: Buffer.from(a.BinaryValue).toString('base64') }
        : { DataType: a.DataType, StringValue: a.StringValue ?? '' };
  }
  return stored;
}

/** `{name: {Type, Value}}` as SNS presents attributes to subscribers (binary as base64). */
function typedValues(n: Notification): Record<string, { Type: string; Value: string }> {
  const values: Record<string, { Type: string; Value: string }> = {};
  for (const [name, a] of Object.entries(n.attributes)) {
    values[name] = { Type: a.DataType, Value: a.BinaryValue ?? a.StringValue ?? '' };
  }
  return values;
}

/**
 * DIVERGENCE: SNS signs notifications with an RSA key whose certificate it serves at
 * SigningCertURL. Fogbank has no such key; the signature is a digest of the signed fields in
 * the right place and format, and will not verify.
 */
function signature(n: Notification): string {
  return createHash('sha256')
    .update(
      [n.message, n.messageId, n.subject ?? '', 'Notification', n.timestamp, n.topicArn].join('\n'),
    )
    .digest('base64');
}

function signingCertUrl(region: string): string {
  return `https://sns.${region}.amazonaws.com/SimpleNotificationService-fogbank.pem`;
}

function unsubscribeUrl(region: string, subscriptionArn: string): string {
  return `https://sns.${region}.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=${subscriptionArn}`;
}

/** The region of an SNS ARN (its fourth element). */
function regionOf(arn: string): string {
  return arn.split(':')[3] ?? '';
}

/** The event of the asynchronous invocation of a `lambda` subscription (spec §4.8). */
export function lambdaEvent(n: Notification, subscriptionArn: string): Record<string, unknown> {
  const region = regionOf(n.topicArn);
  return {
    Records: [
      {
        EventSource: 'aws:sns',
        EventVersion: '1.0',
        EventSubscriptionArn: subscriptionArn,
        Sns: {
          Type: 'Notification',
          MessageId: n.messageId,
          TopicArn: n.topicArn,
          Subject: n.subject ?? null,
          Message: n.message,
          Timestamp: new Date(n.timestamp).toISOString(),
          SignatureVersion: '1',
          Signature: signature(n),
          SigningCertUrl: signingCertUrl(region),
          UnsubscribeUrl: unsubscribeUrl(region, subscriptionArn),
          MessageAttributes: typedValues(n),
        },
      },
    ],
  };
}

/**
 * The JSON envelope an `sqs` subscription receives as its message body. Subject and
 * MessageAttributes appear only when the message has them. The layout (two-space indent,
 * `" : "`, attribute values on one line) is the one SNS writes.
 */
export function sqsEnvelope(n: Notification, subscriptionArn: string): string {
  const region = regionOf(n.topicArn);
  const fields: [string, string][] = [
    ['Type', 'Notification'],
    ['MessageId', n.messageId],
    ['TopicArn', n.topicArn],
    ...(n.subject !== undefined ? [['Subject', n.subject] as [string, string]] : []),
    ['Message', n.message],
    ['Timestamp', new Date(n.timestamp).toISOString()],
    ['SignatureVersion', '1'],
    ['Signature', signature(n)],
    ['SigningCertURL', signingCertUrl(region)],
    ['UnsubscribeURL', unsubscribeUrl(region, subscriptionArn)],
  ];
  const lines = fields.map(([k, v]) => `  ${JSON.stringify(k)} : ${JSON.stringify(v)}`);
  const attributes = Object.entries(typedValues(n));
  if (attributes.length > 0) {
    const entries = attributes.map(([k, v]) => `    ${JSON.stringify(k)} : ${JSON.stringify(v)}`);
    lines.push(`  "MessageAttributes" : {\n${entries.join(',\n')}\n  }`);
  }
  return `{\n${lines.join(',\n')}\n}`;
}

/**
 * The message attributes a raw delivery carries over to the queue, and the names it had to
 * leave out. DIVERGENCE: the queue interface takes String and Number attributes only, so custom
 * type labels collapse to their base type and Binary attributes are dropped.
 */
export function rawQueueAttributes(n: Notification): {
  attributes: Record<string, MessageAttribute>;
  dropped: string[];
} {
  const attributes: Record<string, MessageAttribute> = {};
  const dropped: string[] = [];
  for (const [name, a] of Object.entries(n.attributes)) {
    if (a.StringValue === undefined) {
      dropped.push(name);
    } else {
      attributes[name] = {
        DataType: a.DataType.startsWith('Number') ? 'Number' : 'String',
        StringValue: a.StringValue,
      };
    }
  }
  return { attributes, dropped };
}
