import { md5OfMessageAttributes } from './md5.js';
import type { QueueRecord, StoredMessage } from './queue-store.js';
import { encodeReceiptHandle, type ReceiptHandle } from './receipt-handle.js';
import type {
  MessageAttributes,
  MessageAttributeValue,
  ReceiveOptions,
  ReceivedMessage,
} from './types.js';

/**
 * A received message as ReceiveMessage returns it: only the system attributes and message
 * attributes asked for, and the MD5 of the message attributes returned.
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_ReceiveMessage.html
 */
export function renderReceived(
  queue: QueueRecord,
  stored: StoredMessage,
  handle: ReceiptHandle,
  options: ReceiveOptions,
): ReceivedMessage {
  const messageAttributes = selectMessageAttributes(
    stored.messageAttributes,
    options.messageAttributeNames ?? [],
  );
  const hasAttributes = Object.keys(messageAttributes).length > 0;
  return {
    messageId: stored.messageId,
    receiptHandle: encodeReceiptHandle(handle),
    body: stored.body,
    md5OfBody: stored.md5OfBody,
    attributes: selectSystemAttributes(queue, stored, options.systemAttributeNames ?? []),
    messageAttributes,
    ...(hasAttributes && { md5OfMessageAttributes: md5OfMessageAttributes(messageAttributes) }),
  };
}

/** FIFO sequence numbers: large, increasing per queue, as a decimal string. */
export function sequenceNumber(seq: number): string {
  return (10n ** 19n + BigInt(seq)).toString();
}

function selectSystemAttributes(
  queue: QueueRecord,
  m: StoredMessage,
  names: readonly string[],
): Record<string, string> {
  if (names.length === 0) {
    return {};
  }
  const all: Record<string, string | undefined> = {
    SenderId: m.senderId,
    ApproximateFirstReceiveTimestamp:
      m.firstReceiveAt === undefined ? undefined : String(m.firstReceiveAt),
    ApproximateReceiveCount: String(m.receiveCount),
    SentTimestamp: String(m.sentAt),
    AWSTraceHeader: m.awsTraceHeader,
    DeadLetterQueueSourceArn: m.deadLetterQueueSourceArn,
    MessageGroupId: m.groupId,
    MessageDeduplicationId: queue.fifo ? m.deduplicationId : undefined,
    SequenceNumber: queue.fifo ? sequenceNumber(m.seq) : undefined,
  };
  const everything = names.includes('All');
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(all)) {
    if (value !== undefined && (everything || names.includes(name))) {
      out[name] = value;
    }
  }
  return out;
}

/** `All` or `.*` selects every attribute, `prefix.*` those under the prefix, others by name. */
function selectMessageAttributes(
  attributes: MessageAttributes | undefined,
  names: readonly string[],
): Record<string, MessageAttributeValue> {
  const out: Record<string, MessageAttributeValue> = {};
  if (!attributes || names.length === 0) {
    return out;
  }
  const everything = names.includes('All') || names.includes('.*');
  const prefixes = names.filter((n) => n.endsWith('.*')).map((n) => n.slice(0, -1));
  for (const [name, value] of Object.entries(attributes)) {
    if (everything || names.includes(name) || prefixes.some((p) => name.startsWith(p))) {
      out[name] = value;
    }
  }
  return out;
}
