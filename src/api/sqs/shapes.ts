/**
 * The input and output shapes of the SQS operations we serve, transcribed from the SQS
 * service model (2012-11-05). JSON requests and responses use member names as they are; the
 * query protocol and its XML use the serialized names: a member's `name` (the model's
 * locationName), a flattened list's element name, a flattened map's key and value names.
 * Blobs are base64 text in both protocols.
 */
export type Shape = 'string' | 'integer' | 'boolean' | 'blob' | ListShape | MapShape | StructShape;

export interface ListShape {
  readonly list: Shape;
  /** Element name; it replaces the member's name in query keys (`AttributeName.1`). */
  readonly member: string;
}

export interface MapShape {
  readonly map: Shape;
  readonly key: string;
  readonly value: string;
}

export interface StructShape {
  readonly struct: Readonly<Record<string, Member>>;
}

export interface Member {
  readonly shape: Shape;
  readonly name?: string;
  readonly required?: boolean;
}

export interface OperationShape {
  readonly input: StructShape;
  /** Absent for operations whose response carries nothing but the request id. */
  readonly output?: StructShape;
}

const S: Member = { shape: 'string' };
const REQUIRED_S: Member = { shape: 'string', required: true };
const I: Member = { shape: 'integer' };
const QUEUE_URL = { QueueUrl: REQUIRED_S };

const list = (shape: Shape, member: string, required = false): Member => ({
  shape: { list: shape, member },
  ...(required && { required }),
});
const struct = (members: Record<string, Member>): StructShape => ({ struct: members });

const STRING_MAP = (name: string): Member => ({
  shape: { map: 'string', key: 'Name', value: 'Value' },
  name,
});
const TAG_MAP: Member = { shape: { map: 'string', key: 'Key', value: 'Value' }, name: 'Tag' };
const ATTRIBUTE_VALUE = struct({
  StringValue: S,
  BinaryValue: { shape: 'blob' },
  DataType: REQUIRED_S,
});
const ATTRIBUTE_VALUE_MAP = (name: string): Member => ({
  shape: { map: ATTRIBUTE_VALUE, key: 'Name', value: 'Value' },
  name,
});
const BATCH_ERROR = list(
  struct({ Id: S, SenderFault: { shape: 'boolean' }, Code: S, Message: S }),
  'BatchResultErrorEntry',
);
const ID_ONLY = (member: string): Member => list(struct({ Id: S }), member);

const MESSAGE_CONTENT = {
  MessageBody: REQUIRED_S,
  DelaySeconds: I,
  MessageAttributes: ATTRIBUTE_VALUE_MAP('MessageAttribute'),
  MessageSystemAttributes: ATTRIBUTE_VALUE_MAP('MessageSystemAttribute'),
  MessageDeduplicationId: S,
  MessageGroupId: S,
};
const SEND_RESULT = {
  MD5OfMessageBody: S,
  MD5OfMessageAttributes: S,
  MD5OfMessageSystemAttributes: S,
  MessageId: S,
  SequenceNumber: S,
};

export const OPERATIONS: Readonly<Record<string, OperationShape>> = {
  CreateQueue: {
    input: struct({ QueueName: REQUIRED_S, Attributes: STRING_MAP('Attribute'), tags: TAG_MAP }),
    output: struct({ QueueUrl: S }),
  },
  DeleteQueue: { input: struct(QUEUE_URL) },
  GetQueueUrl: {
    input: struct({ QueueName: REQUIRED_S, QueueOwnerAWSAccountId: S }),
    output: struct({ QueueUrl: S }),
  },
  ListQueues: {
    input: struct({ QueueNamePrefix: S, NextToken: S, MaxResults: I }),
    output: struct({ QueueUrls: list('string', 'QueueUrl'), NextToken: S }),
  },
  ListDeadLetterSourceQueues: {
    input: struct({ ...QUEUE_URL, NextToken: S, MaxResults: I }),
    output: struct({ queueUrls: list('string', 'QueueUrl'), NextToken: S }),
  },
  GetQueueAttributes: {
    input: struct({ ...QUEUE_URL, AttributeNames: list('string', 'AttributeName') }),
    output: struct({ Attributes: STRING_MAP('Attribute') }),
  },
  SetQueueAttributes: {
    input: struct({ ...QUEUE_URL, Attributes: { ...STRING_MAP('Attribute'), required: true } }),
  },
  PurgeQueue: { input: struct(QUEUE_URL) },
  TagQueue: { input: struct({ ...QUEUE_URL, Tags: { ...TAG_MAP, required: true } }) },
  UntagQueue: { input: struct({ ...QUEUE_URL, TagKeys: list('string', 'TagKey', true) }) },
  ListQueueTags: { input: struct(QUEUE_URL), output: struct({ Tags: TAG_MAP }) },
  SendMessage: {
    input: struct({ ...QUEUE_URL, ...MESSAGE_CONTENT }),
    output: struct(SEND_RESULT),
  },
  SendMessageBatch: {
    input: struct({
      ...QUEUE_URL,
      Entries: list(
        struct({ Id: REQUIRED_S, ...MESSAGE_CONTENT }),
        'SendMessageBatchRequestEntry',
        true,
      ),
    }),
    output: struct({
      Successful: list(struct({ Id: S, ...SEND_RESULT }), 'SendMessageBatchResultEntry'),
      Failed: BATCH_ERROR,
    }),
  },
  ReceiveMessage: {
    input: struct({
      ...QUEUE_URL,
      AttributeNames: list('string', 'AttributeName'),
      MessageSystemAttributeNames: list('string', 'MessageSystemAttributeName'),
      MessageAttributeNames: list('string', 'MessageAttributeName'),
      MaxNumberOfMessages: I,
      VisibilityTimeout: I,
      WaitTimeSeconds: I,
      ReceiveRequestAttemptId: S,
    }),
    output: struct({
      Messages: list(
        struct({
          MessageId: S,
          ReceiptHandle: S,
          MD5OfBody: S,
          Body: S,
          Attributes: STRING_MAP('Attribute'),
          MD5OfMessageAttributes: S,
          MessageAttributes: ATTRIBUTE_VALUE_MAP('MessageAttribute'),
        }),
        'Message',
      ),
    }),
  },
  DeleteMessage: { input: struct({ ...QUEUE_URL, ReceiptHandle: REQUIRED_S }) },
  DeleteMessageBatch: {
    input: struct({
      ...QUEUE_URL,
      Entries: list(
        struct({ Id: REQUIRED_S, ReceiptHandle: REQUIRED_S }),
        'DeleteMessageBatchRequestEntry',
        true,
      ),
    }),
    output: struct({
      Successful: ID_ONLY('DeleteMessageBatchResultEntry'),
      Failed: BATCH_ERROR,
    }),
  },
  ChangeMessageVisibility: {
    input: struct({
      ...QUEUE_URL,
      ReceiptHandle: REQUIRED_S,
      VisibilityTimeout: { shape: 'integer', required: true },
    }),
  },
  ChangeMessageVisibilityBatch: {
    input: struct({
      ...QUEUE_URL,
      Entries: list(
        struct({
          Id: REQUIRED_S,
          ReceiptHandle: REQUIRED_S,
          VisibilityTimeout: { shape: 'integer', required: true },
        }),
        'ChangeMessageVisibilityBatchRequestEntry',
        true,
      ),
    }),
    output: struct({
      Successful: ID_ONLY('ChangeMessageVisibilityBatchResultEntry'),
      Failed: BATCH_ERROR,
    }),
  },
};
