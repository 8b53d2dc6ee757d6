import type { AccountContext } from '../../core/arn.js';
import { queueDoesNotExist } from '../../events/sqs/errors.js';
import type {
  BatchResult,
  MessageAttributes,
  MessageAttributeValue,
  OutgoingMessage,
  QueueInfo,
  QueueService,
  ReceivedMessage,
} from '../../events/sqs/types.js';
import { queueNameFromUrl, queueUrl } from './queue-url.js';

/**
 * Each SQS operation as a translation between the JSON-shaped request (both protocols decode
 * to it, checked against shapes.ts) and a QueueService call. No queue logic lives here.
 */
export interface RequestContext {
  /** `http://host:port` the client called: queue URLs are built on it. */
  readonly origin: string;
  /** The caller's access key id, reported as SenderId. */
  readonly senderId?: string;
  /** Aborted when the client goes away: it ends a long poll early. */
  readonly signal: AbortSignal;
}

export type Operation = (
  input: Record<string, unknown>,
  request: RequestContext,
) => Promise<Record<string, unknown>>;

interface WireAttributeValue {
  DataType: string;
  StringValue?: string;
  /** base64 */
  BinaryValue?: string;
}
type WireAttributes = Record<string, WireAttributeValue>;

interface WireMessage {
  MessageBody: string;
  DelaySeconds?: number;
  MessageAttributes?: WireAttributes;
  MessageSystemAttributes?: WireAttributes;
  MessageDeduplicationId?: string;
  MessageGroupId?: string;
}

interface WireReceiptEntry {
  Id: string;
  ReceiptHandle: string;
  VisibilityTimeout: number;
}

export function createOperations(
  service: QueueService,
  ctx: AccountContext,
): Readonly<Record<string, Operation>> {
  const name = (input: Record<string, unknown>): string =>
    queueNameFromUrl(input.QueueUrl as string, ctx);
  const url = (request: RequestContext, queue: QueueInfo): string =>
    queueUrl(request.origin, ctx, queue.name);
  const none = (): Record<string, unknown> => ({});

  return {
    async CreateQueue(input, request) {
      const queue = await service.createQueue({
        name: input.QueueName as string,
        ...(input.Attributes !== undefined && {
          attributes: input.Attributes as Record<string, string>,
        }),
        ...(input.tags !== undefined && { tags: input.tags as Record<string, string> }),
      });
      return { QueueUrl: url(request, queue) };
    },
    async DeleteQueue(input) {
      await service.deleteQueue(name(input));
      return none();
    },
    async GetQueueUrl(input, request) {
      const owner = input.QueueOwnerAWSAccountId as string | undefined;
      if (owner !== undefined && owner !== ctx.accountId) {
        throw queueDoesNotExist();
      }
      return { QueueUrl: url(request, await service.getQueue(input.QueueName as string)) };
    },
    async ListQueues(input, request) {
      const page = await service.listQueues({
        ...(input.QueueNamePrefix !== undefined && { prefix: input.QueueNamePrefix as string }),
        ...(input.MaxResults !== undefined && { maxResults: input.MaxResults as number }),
        ...(input.NextToken !== undefined && { nextToken: input.NextToken as string }),
      });
      return {
        ...(page.queues.length > 0 && { QueueUrls: page.queues.map((q) => url(request, q)) }),
        ...(page.nextToken !== undefined && { NextToken: page.nextToken }),
      };
    },
    async ListDeadLetterSourceQueues(input, request) {
      const page = await service.listDeadLetterSourceQueues(name(input), {
        ...(input.MaxResults !== undefined && { maxResults: input.MaxResults as number }),
        ...(input.NextToken !== undefined && { nextToken: input.NextToken as string }),
      });
      return {
        queueUrls: page.queues.map((q) => url(request, q)),
        ...(page.nextToken !== undefined && { NextToken: page.nextToken }),
      };
    },
    async GetQueueAttributes(input) {
      const attributes = await service.getQueueAttributes(
        name(input),
        (input.AttributeNames as string[] | undefined) ?? [],
      );
      return Object.keys(attributes).length > 0 ? { Attributes: attributes } : {};
    },
    async SetQueueAttributes(input) {
      await service.setQueueAttributes(name(input), input.Attributes as Record<string, string>);
      return none();
    },
    async PurgeQueue(input) {
      await service.purgeQueue(name(input));
      return none();
    },
    async TagQueue(input) {
      await service.tagQueue(name(input), input.Tags as Record<string, string>);
      return none();
    },
    async UntagQueue(input) {
      await service.untagQueue(name(input), input.TagKeys as string[]);
      return none();
    },
    async ListQueueTags(input) {
      const tags = await service.listQueueTags(name(input));
      return Object.keys(tags).length > 0 ? { Tags: tags } : {};
    },
    async SendMessage(input, request) {
      const sent = await service.sendMessage(
        name(input),
        toOutgoing(input as unknown as WireMessage, request),
      );
      return {
        MD5OfMessageBody: sent.md5OfMessageBody,
        MD5OfMessageAttributes: sent.md5OfMessageAttributes,
        MD5OfMessageSystemAttributes: sent.md5OfMessageSystemAttributes,
        MessageId: sent.messageId,
        SequenceNumber: sent.sequenceNumber,
      };
    },
    async SendMessageBatch(input, request) {
      const entries = input.Entries as (WireMessage & { Id: string })[];
      const result = await service.sendMessageBatch(
        name(input),
        entries.map((entry) => ({ id: entry.Id, ...toOutgoing(entry, request) })),
      );
      return {
        Successful: result.successful.map((sent) => ({
          Id: sent.id,
          MessageId: sent.messageId,
          MD5OfMessageBody: sent.md5OfMessageBody,
          MD5OfMessageAttributes: sent.md5OfMessageAttributes,
          MD5OfMessageSystemAttributes: sent.md5OfMessageSystemAttributes,
          SequenceNumber: sent.sequenceNumber,
        })),
        Failed: wireFailures(result),
      };
    },
    async ReceiveMessage(input, request) {
      const systemAttributeNames = [
        ...((input.AttributeNames as string[] | undefined) ?? []),
        ...((input.MessageSystemAttributeNames as string[] | undefined) ?? []),
      ];
      const messages = await service.receiveMessages(
        name(input),
        {
          systemAttributeNames,
          messageAttributeNames: (input.MessageAttributeNames as string[] | undefined) ?? [],
          ...(input.MaxNumberOfMessages !== undefined && {
            maxNumberOfMessages: input.MaxNumberOfMessages as number,
          }),
          ...(input.VisibilityTimeout !== undefined && {
            visibilityTimeout: input.VisibilityTimeout as number,
          }),
          ...(input.WaitTimeSeconds !== undefined && {
            waitTimeSeconds: input.WaitTimeSeconds as number,
          }),
        },
        request.signal,
      );
      return messages.length > 0 ? { Messages: messages.map(toWireMessage) } : {};
    },
    async DeleteMessage(input) {
      await service.deleteMessage(name(input), input.ReceiptHandle as string);
      return none();
    },
    async DeleteMessageBatch(input) {
      const entries = input.Entries as WireReceiptEntry[];
      const result = await service.deleteMessageBatch(
        name(input),
        entries.map((entry) => ({ id: entry.Id, receiptHandle: entry.ReceiptHandle })),
      );
      return {
        Successful: result.successful.map((s) => ({ Id: s.id })),
        Failed: wireFailures(result),
      };
    },
    async ChangeMessageVisibility(input) {
      await service.changeMessageVisibility(
        name(input),
        input.ReceiptHandle as string,
        input.VisibilityTimeout as number,
      );
      return none();
    },
    async ChangeMessageVisibilityBatch(input) {
      const entries = input.Entries as WireReceiptEntry[];
      const result = await service.changeMessageVisibilityBatch(
        name(input),
        entries.map((entry) => ({
          id: entry.Id,
          receiptHandle: entry.ReceiptHandle,
          visibilityTimeout: entry.VisibilityTimeout,
        })),
      );
      return {
        Successful: result.successful.map((s) => ({ Id: s.id })),
        Failed: wireFailures(result),
      };
    },
  };
}

function toOutgoing(m: WireMessage, request: RequestContext): OutgoingMessage {
  return {
    body: m.MessageBody,
    ...(m.DelaySeconds !== undefined && { delaySeconds: m.DelaySeconds }),
    ...(m.MessageAttributes !== undefined && {
      messageAttributes: fromWireAttributes(m.MessageAttributes),
    }),
    ...(m.MessageSystemAttributes !== undefined && {
      messageSystemAttributes: fromWireAttributes(m.MessageSystemAttributes),
    }),
    ...(m.MessageGroupId !== undefined && { messageGroupId: m.MessageGroupId }),
    ...(m.MessageDeduplicationId !== undefined && {
      messageDeduplicationId: m.MessageDeduplicationId,
    }),
    ...(request.senderId !== undefined && { senderId: request.senderId }),
  };
}

function fromWireAttributes(wire: WireAttributes): MessageAttributes {
  const out: Record<string, MessageAttributeValue> = {};
  for (const [key, value] of Object.entries(wire)) {
    out[key] = {
      dataType: value.DataType,
      ...(value.StringValue !== undefined && { stringValue: value.StringValue }),
      ...(value.BinaryValue !== undefined && {
        binaryValue: Buffer.from(value.BinaryValue, 'base64'),
      }),
    };
  }
  return out;
}

function toWireMessage(m: ReceivedMessage): Record<string, unknown> {
  const attributes: WireAttributes = {};
  for (const [key, value] of Object.entries(m.messageAttributes)) {
    attributes[key] = {
      ...(value.stringValue !== undefined && { StringValue: value.stringValue }),
      ...(value.binaryValue !== undefined && {
        BinaryValue: Buffer.from(value.binaryValue).toString('base64'),
      }),
      DataType: value.dataType,
    };
  }
  return {
    MessageId: m.messageId,
    ReceiptHandle: m.receiptHandle,
    MD5OfBody: m.md5OfBody,
    Body: m.body,
    ...(Object.keys(m.attributes).length > 0 && { Attributes: m.attributes }),
    ...(m.md5OfMessageAttributes !== undefined && {
      MD5OfMessageAttributes: m.md5OfMessageAttributes,
    }),
    ...(Object.keys(attributes).length > 0 && { MessageAttributes: attributes }),
  };
}

function wireFailures(result: BatchResult<object>): Record<string, unknown>[] {
  return result.failed.map((f) => ({
    Id: f.id,
    SenderFault: f.senderFault,
    Code: f.code,
    Message: f.message,
  }));
}
