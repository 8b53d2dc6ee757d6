import { createHash, randomUUID } from 'node:crypto';
import type { ServiceError } from '../../core/errors.js';
import { invalidParameter, invalidParameterValue, missingParameter } from './errors.js';
import { md5Hex, md5OfMessageAttributes } from './md5.js';
import {
  messageSize,
  validateBody,
  validateDelay,
  validateMessageAttributes,
  validateToken,
} from './message-validation.js';
import { integerAttribute } from './queue-attributes.js';
import type { NewMessage, QueueRecord } from './queue-store.js';
import { sequenceNumber } from './received-message.js';
import type { OutgoingMessage, SendResult } from './types.js';

/** FIFO deduplication interval. */
const DEDUPLICATION_MS = 5 * 60_000;

export interface PreparedSend {
  readonly record: NewMessage;
  readonly md5OfMessageAttributes?: string;
  readonly md5OfMessageSystemAttributes?: string;
}

/** Validates a message for a queue and builds what the store keeps. */
export function prepareMessage(
  queue: QueueRecord,
  m: OutgoingMessage,
  now: number,
  defaultSenderId: string,
): PreparedSend {
  validateBody(m.body);
  const attributes = m.messageAttributes ?? {};
  const system = m.messageSystemAttributes ?? {};
  validateMessageAttributes(attributes, 'user');
  validateMessageAttributes(system, 'system');
  const limit = integerAttribute(queue, 'MaximumMessageSize');
  if (messageSize(m.body, attributes) > limit) {
    throw invalidParameterValue(
      `One or more parameters are invalid. Reason: Message must be shorter than ${limit} bytes.`,
    );
  }
  let delay = integerAttribute(queue, 'DelaySeconds');
  if (m.delaySeconds !== undefined) {
    if (queue.fifo) {
      throw notForThisQueueType('DelaySeconds', m.delaySeconds);
    }
    validateDelay(m.delaySeconds);
    delay = m.delaySeconds;
  }
  if (m.messageGroupId !== undefined) {
    validateToken('MessageGroupId', m.messageGroupId);
  } else if (queue.fifo) {
    throw missingParameter('MessageGroupId');
  }
  let deduplicationId = m.messageDeduplicationId;
  if (deduplicationId !== undefined) {
    if (!queue.fifo) {
      throw notForThisQueueType('MessageDeduplicationId', deduplicationId);
    }
    validateToken('MessageDeduplicationId', deduplicationId);
  } else if (queue.fifo) {
    if (queue.attributes.ContentBasedDeduplication !== 'true') {
      throw invalidParameterValue(
        'The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly',
      );
    }
    deduplicationId = createHash('sha256').update(m.body, 'utf8').digest('hex');
  }
  const hasAttributes = Object.keys(attributes).length > 0;
  const hasSystem = Object.keys(system).length > 0;
  const traceHeader = system.AWSTraceHeader?.stringValue;
  const record: NewMessage = {
    messageId: randomUUID(),
    body: m.body,
    md5OfBody: md5Hex(m.body),
    senderId: m.senderId ?? defaultSenderId,
    sentAt: now,
    visibleAt: now + delay * 1000,
    ...(hasAttributes && { messageAttributes: attributes }),
    ...(traceHeader !== undefined && { awsTraceHeader: traceHeader }),
    ...(m.messageGroupId !== undefined && { groupId: m.messageGroupId }),
    ...(deduplicationId !== undefined && {
      deduplicationId,
      deduplicationKey:
        queue.attributes.DeduplicationScope === 'messageGroup'
          ? `${m.messageGroupId ?? ''}\n${deduplicationId}`
          : deduplicationId,
      deduplicationExpiresAt: now + DEDUPLICATION_MS,
    }),
  };
  return {
    record,
    ...(hasAttributes && { md5OfMessageAttributes: md5OfMessageAttributes(attributes) }),
    ...(hasSystem && { md5OfMessageSystemAttributes: md5OfMessageAttributes(system) }),
  };
}

export function sendResult(
  queue: QueueRecord,
  prepared: PreparedSend,
  sent: { seq: number; messageId: string },
): SendResult {
  return {
    messageId: sent.messageId,
    md5OfMessageBody: prepared.record.md5OfBody,
    ...(prepared.md5OfMessageAttributes !== undefined && {
      md5OfMessageAttributes: prepared.md5OfMessageAttributes,
    }),
    ...(prepared.md5OfMessageSystemAttributes !== undefined && {
      md5OfMessageSystemAttributes: prepared.md5OfMessageSystemAttributes,
    }),
    ...(queue.fifo && { sequenceNumber: sequenceNumber(sent.seq) }),
  };
}

function notForThisQueueType(parameter: string, value: unknown): ServiceError {
  return invalidParameter(
    parameter,
    value,
    'The request include parameter that is not valid for this queue type.',
  );
}
