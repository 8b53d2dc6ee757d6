/**
 * The queue service's typed API, shared by the SQS protocol adapters (src/api/sqs) and by
 * Lambda's own internals (destinations and dead-letter queues send; event source mappings
 * receive, delete and change visibility).
 */

/** A queue named by its name (`orders`, `orders.fifo`) or its ARN (`arn:aws:sqs:<region>:<account>:orders`). */
export type QueueRef = string;

export interface QueueInfo {
  readonly name: string;
  readonly arn: string;
  readonly fifo: boolean;
}

/**
 * A message attribute, in the casing Lambda's SQS event uses. `String` and `Number` types
 * (optionally with a custom label, `Number.float`) carry `stringValue`; `Binary` carries `binaryValue`.
 */
export interface MessageAttributeValue {
  readonly dataType: string;
  readonly stringValue?: string;
  readonly binaryValue?: Uint8Array;
}

export type MessageAttributes = Readonly<Record<string, MessageAttributeValue>>;

export interface OutgoingMessage {
  readonly body: string;
  /** 0–900; not allowed on FIFO queues (the queue's DelaySeconds applies instead). */
  readonly delaySeconds?: number;
  readonly messageAttributes?: MessageAttributes;
  /** Only `AWSTraceHeader` (DataType `String`) is accepted, as on SQS. */
  readonly messageSystemAttributes?: MessageAttributes;
  /** Required on FIFO queues; on standard queues it marks the tenant of a fair queue. */
  readonly messageGroupId?: string;
  /** FIFO only. */
  readonly messageDeduplicationId?: string;
  /** Reported as the SenderId attribute (default: the account id). */
  readonly senderId?: string;
}

export interface SendResult {
  readonly messageId: string;
  readonly md5OfMessageBody: string;
  readonly md5OfMessageAttributes?: string;
  readonly md5OfMessageSystemAttributes?: string;
  /** FIFO only. */
  readonly sequenceNumber?: string;
}

export interface ReceiveOptions {
  /** 1–10, default 1. */
  readonly maxNumberOfMessages?: number;
  /** Seconds, 0–43200; default: the queue's VisibilityTimeout. */
  readonly visibilityTimeout?: number;
  /** Seconds, 0–20; default: the queue's ReceiveMessageWaitTimeSeconds. */
  readonly waitTimeSeconds?: number;
  /** System attributes to return (`All` for every one), e.g. `ApproximateReceiveCount`. */
  readonly systemAttributeNames?: readonly string[];
  /** Message attributes to return: names, `All`, `.*`, or prefixes such as `trace.*`. */
  readonly messageAttributeNames?: readonly string[];
}

export interface ReceivedMessage {
  readonly messageId: string;
  readonly receiptHandle: string;
  readonly body: string;
  readonly md5OfBody: string;
  /** The requested system attributes (values as SQS returns them: strings). */
  readonly attributes: Readonly<Record<string, string>>;
  /** The requested message attributes. */
  readonly messageAttributes: MessageAttributes;
  /** MD5 of the returned message attributes; absent when none are returned. */
  readonly md5OfMessageAttributes?: string;
}

export interface BatchEntryError {
  readonly id: string;
  readonly senderFault: boolean;
  readonly code: string;
  readonly message: string;
}

export interface BatchResult<T> {
  readonly successful: readonly (T & { readonly id: string })[];
  readonly failed: readonly BatchEntryError[];
}

export interface ListQueuesOptions {
  readonly prefix?: string;
  /** 1–1000; with it, the result pages and carries a nextToken when more remain. */
  readonly maxResults?: number;
  readonly nextToken?: string;
}

export interface QueueService {
  /** Creates a queue, or returns the existing one when every given attribute matches it. */
  createQueue(input: {
    readonly name: string;
    readonly attributes?: Readonly<Record<string, string>>;
    readonly tags?: Readonly<Record<string, string>>;
  }): Promise<QueueInfo>;
  /** Throws QueueDoesNotExist. */
  getQueue(queue: QueueRef): Promise<QueueInfo>;
  deleteQueue(queue: QueueRef): Promise<void>;
  listQueues(options?: ListQueuesOptions): Promise<{ queues: QueueInfo[]; nextToken?: string }>;
  /** Queues whose RedrivePolicy targets this queue. */
  listDeadLetterSourceQueues(
    queue: QueueRef,
    options?: Omit<ListQueuesOptions, 'prefix'>,
  ): Promise<{ queues: QueueInfo[]; nextToken?: string }>;
  /** The named attributes (`All` for every one), as SQS renders them. */
  getQueueAttributes(queue: QueueRef, names?: readonly string[]): Promise<Record<string, string>>;
  setQueueAttributes(queue: QueueRef, attributes: Readonly<Record<string, string>>): Promise<void>;
  /** Deletes every message; once per 60 seconds per queue, as on SQS. */
  purgeQueue(queue: QueueRef): Promise<void>;
  /** Resolves once the message is durably stored. */
  sendMessage(queue: QueueRef, message: OutgoingMessage): Promise<SendResult>;
  sendMessageBatch(
    queue: QueueRef,
    entries: readonly (OutgoingMessage & { readonly id: string })[],
  ): Promise<BatchResult<SendResult>>;
  /**
   * Receives up to maxNumberOfMessages. With a wait time, resolves as soon as a message is
   * available (woken by sends and by messages becoming visible), or empty at the deadline.
   * Aborting `signal` ends the wait early with no messages.
   */
  receiveMessages(
    queue: QueueRef,
    options?: ReceiveOptions,
    signal?: AbortSignal,
  ): Promise<ReceivedMessage[]>;
  deleteMessage(queue: QueueRef, receiptHandle: string): Promise<void>;
  deleteMessageBatch(
    queue: QueueRef,
    entries: readonly { readonly id: string; readonly receiptHandle: string }[],
  ): Promise<BatchResult<object>>;
  /** Makes an in-flight message visible again after `visibilityTimeout` seconds from now. */
  changeMessageVisibility(
    queue: QueueRef,
    receiptHandle: string,
    visibilityTimeout: number,
  ): Promise<void>;
  changeMessageVisibilityBatch(
    queue: QueueRef,
    entries: readonly {
      readonly id: string;
      readonly receiptHandle: string;
      readonly visibilityTimeout: number;
    }[],
  ): Promise<BatchResult<object>>;
  tagQueue(queue: QueueRef, tags: Readonly<Record<string, string>>): Promise<void>;
  untagQueue(queue: QueueRef, keys: readonly string[]): Promise<void>;
  listQueueTags(queue: QueueRef): Promise<Record<string, string>>;
  /** Stops background work (retention sweeps) and ends every pending long poll with no messages. */
  close(): void;
}
