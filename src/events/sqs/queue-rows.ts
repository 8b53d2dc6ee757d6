import type { QueueRecord, StoredMessage } from './queue-store.js';
import type { MessageAttributes, MessageAttributeValue } from './types.js';

/**
 * The rows of the queue tables (sqs_queues, sqs_messages) and their mapping to records, shared
 * by SQL stores: column names, and the JSON text message attributes are kept in (binary values
 * as base64).
 */

export interface QueueRow {
  id: number;
  name: string;
  fifo: number;
  attributes: string;
  tags: string;
  created_at: number;
  modified_at: number;
  last_purged_at: number | null;
}

export interface MessageRow {
  seq: number;
  message_id: string;
  body: string;
  md5_body: string;
  message_attributes: string | null;
  sender_id: string;
  trace_header: string | null;
  dlq_source_arn: string | null;
  group_id: string | null;
  dedup_id: string | null;
  sent_at: number;
  receive_count: number;
  first_receive_at: number | null;
}

/** The columns a StoredMessage is read from. */
export const MESSAGE_COLUMNS = `seq, message_id, body, md5_body, message_attributes, sender_id, trace_header,
  dlq_source_arn, group_id, dedup_id, sent_at, receive_count, first_receive_at`;

export function toQueue(row: QueueRow): QueueRecord {
  const queue = {
    id: row.id,
    name: row.name,
    fifo: row.fifo === 1,
    attributes: JSON.parse(row.attributes) as Record<string, string>,
    tags: JSON.parse(row.tags) as Record<string, string>,
    createdAt: row.created_at,
    modifiedAt: row.modified_at,
  };
  return row.last_purged_at === null ? queue : { ...queue, lastPurgedAt: row.last_purged_at };
}

export function toMessage(row: MessageRow): StoredMessage {
  return {
    seq: row.seq,
    messageId: row.message_id,
    body: row.body,
    md5OfBody: row.md5_body,
    senderId: row.sender_id,
    sentAt: row.sent_at,
    receiveCount: row.receive_count,
    ...(row.message_attributes !== null && {
      messageAttributes: decodeAttributes(row.message_attributes),
    }),
    ...(row.trace_header !== null && { awsTraceHeader: row.trace_header }),
    ...(row.dlq_source_arn !== null && { deadLetterQueueSourceArn: row.dlq_source_arn }),
    ...(row.group_id !== null && { groupId: row.group_id }),
    ...(row.dedup_id !== null && { deduplicationId: row.dedup_id }),
    ...(row.first_receive_at !== null && { firstReceiveAt: row.first_receive_at }),
  };
}

interface EncodedAttribute {
  t: string;
  s?: string;
  b?: string;
}

export function encodeAttributes(attributes: MessageAttributes): string {
  const encoded: Record<string, EncodedAttribute> = {};
  for (const [name, value] of Object.entries(attributes)) {
    encoded[name] = {
      t: value.dataType,
      ...(value.stringValue !== undefined && { s: value.stringValue }),
      ...(value.binaryValue !== undefined && {
        b: Buffer.from(value.binaryValue).toString('base64'),
      }),
    };
  }
  return JSON.stringify(encoded);
}

function decodeAttributes(json: string): MessageAttributes {
  const decoded: Record<string, MessageAttributeValue> = {};
  for (const [name, value] of Object.entries(
    JSON.parse(json) as Record<string, EncodedAttribute>,
  )) {
    decoded[name] = {
      dataType: value.t,
      ...(value.s !== undefined && { stringValue: value.s }),
      ...(value.b !== undefined && { binaryValue: Buffer.from(value.b, 'base64') }),
    };
  }
  return decoded;
}
