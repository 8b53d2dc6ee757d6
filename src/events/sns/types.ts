/**
 * The topic service's vocabulary, in SNS's own terms: topics, subscriptions, message attributes
 * and the operations of the SNS API subset Fogbank speaks.
 * https://docs.aws.amazon.com/sns/latest/api/API_Operations.html
 */

/** The delivery protocols this server delivers to (SNS has more; see subscription-rules.ts). */
export type SubscriptionProtocol = 'lambda' | 'sqs';

/**
 * A message attribute as Publish takes it. DataType is `String`, `Number`, `Binary` or one of
 * them with a custom label (`String.Array`, `Number.float`, …).
 */
export interface SnsMessageAttribute {
  readonly DataType: string;
  readonly StringValue?: string;
  readonly BinaryValue?: Uint8Array;
}

export type SnsMessageAttributes = Readonly<Record<string, SnsMessageAttribute>>;

export interface Tag {
  readonly Key: string;
  readonly Value: string;
}

export interface CreateTopicInput {
  readonly name: string;
  readonly attributes?: Readonly<Record<string, string>>;
  readonly tags?: readonly Tag[];
}

export interface SubscribeInput {
  readonly topicArn: string;
  readonly protocol: string;
  readonly endpoint?: string;
  readonly attributes?: Readonly<Record<string, string>>;
}

/** One row of ListSubscriptions / ListSubscriptionsByTopic. */
export interface SubscriptionSummary {
  readonly SubscriptionArn: string;
  readonly Owner: string;
  readonly Protocol: string;
  readonly Endpoint: string;
  readonly TopicArn: string;
}

export interface PublishInput {
  /** TopicArn, or TargetArn naming a topic. */
  readonly topicArn?: string;
  readonly targetArn?: string;
  readonly phoneNumber?: string;
  readonly message?: string;
  readonly subject?: string;
  /** `json`: Message is a JSON object of per-protocol messages with a `default`. */
  readonly messageStructure?: string;
  readonly messageAttributes?: SnsMessageAttributes;
  readonly messageDeduplicationId?: string;
  readonly messageGroupId?: string;
}

export interface PublishBatchEntry {
  readonly id?: string;
  readonly message?: string;
  readonly subject?: string;
  readonly messageStructure?: string;
  readonly messageAttributes?: SnsMessageAttributes;
  readonly messageDeduplicationId?: string;
  readonly messageGroupId?: string;
}

export interface PublishBatchResult {
  readonly successful: readonly { readonly Id: string; readonly MessageId: string }[];
  readonly failed: readonly {
    readonly Id: string;
    readonly Code: string;
    readonly Message: string;
    readonly SenderFault: boolean;
  }[];
}

export interface Page<T> {
  readonly items: readonly T[];
  readonly nextToken?: string;
}

/** The SNS API subset, plus what other Fogbank services need from topics. */
export interface SnsService {
  /** Starts delivering: pending deliveries left by an earlier run first. */
  start(): void;
  /** Stops scheduling deliveries and waits for the ones in flight. Stored deliveries stay stored. */
  stop(): Promise<void>;
  /** Resolves when no delivery work is running (a settle point for tests and shutdown). */
  idle(): Promise<void>;

  /** Idempotent by name: the same name with no conflicting attributes or tags returns the same ARN. */
  createTopic(input: CreateTopicInput): Promise<string>;
  /** Deletes the topic, its subscriptions and their pending deliveries; a missing topic is fine. */
  deleteTopic(topicArn: string): Promise<void>;
  listTopics(nextToken?: string): Promise<Page<string>>;
  getTopicAttributes(topicArn: string): Promise<Record<string, string>>;
  setTopicAttributes(topicArn: string, name: string, value: string | undefined): Promise<void>;

  /** Confirmed at once for lambda and sqs; returns the subscription ARN. */
  subscribe(input: SubscribeInput): Promise<string>;
  /** Idempotent: an unknown (well-formed) subscription ARN is not an error. */
  unsubscribe(subscriptionArn: string): Promise<void>;
  listSubscriptions(nextToken?: string): Promise<Page<SubscriptionSummary>>;
  listSubscriptionsByTopic(
    topicArn: string,
    nextToken?: string,
  ): Promise<Page<SubscriptionSummary>>;
  getSubscriptionAttributes(subscriptionArn: string): Promise<Record<string, string>>;
  setSubscriptionAttributes(
    subscriptionArn: string,
    name: string,
    value: string | undefined,
  ): Promise<void>;

  /** Resolves with the MessageId once every matching delivery is durably stored. */
  publish(input: PublishInput): Promise<string>;
  /** At most 10 entries with distinct ids; per-entry failures land in `failed`. */
  publishBatch(
    topicArn: string | undefined,
    entries: readonly PublishBatchEntry[],
  ): Promise<PublishBatchResult>;

  /**
   * Publishes as Lambda's async destinations and dead-letter queues do: the message and optional
   * attributes to a topic by ARN. Resolves with the MessageId once durably accepted; rejects with
   * NotFound for an unknown topic.
   */
  publishToTopic(
    topicArn: string,
    message: string,
    attributes?: SnsMessageAttributes,
  ): Promise<string>;
  /** Whether a topic ARN names an existing topic of this server. */
  topicExists(topicArn: string): Promise<boolean>;
}
