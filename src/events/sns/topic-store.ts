/**
 * What the topic service keeps durably. Async throughout so a PostgreSQL implementation can
 * follow the SQLite one (src/store/sqlite/topics.ts); every multi-row change is one transaction
 * inside the implementation.
 */
import type { Tag } from './types.js';

export interface TopicRecord {
  readonly arn: string;
  /** Only the attributes a caller set (DisplayName, Policy, …); computed ones are not stored. */
  readonly attributes: Readonly<Record<string, string>>;
  readonly tags: readonly Tag[];
  readonly createdAt: number;
}

export interface SubscriptionRecord {
  readonly arn: string;
  readonly topicArn: string;
  readonly protocol: string;
  readonly endpoint: string;
  /** Only the attributes a caller set (RawMessageDelivery, FilterPolicy, …). */
  readonly attributes: Readonly<Record<string, string>>;
  readonly createdAt: number;
}

/** A delivery of one published message to one subscription, waiting to be (re)attempted. */
export interface NewDelivery {
  readonly subscriptionArn: string;
  /** The notification as JSON (see notification.ts); opaque to the store. */
  readonly notification: string;
  readonly nextAttemptAt: number;
  readonly createdAt: number;
}

export interface ClaimedDelivery {
  readonly id: number;
  readonly notification: string;
  /** Failed attempts so far. */
  readonly attempts: number;
  /** Retries are over: the delivery now goes to the subscription's dead-letter queue. */
  readonly deadLetter: boolean;
  readonly createdAt: number;
  /** Undefined when the subscription was deleted after the message was accepted. */
  readonly subscription: SubscriptionRecord | undefined;
}

export interface TopicStore {
  /**
   * Inserts the topic unless one with its ARN exists; either way returns the stored record and
   * whether this call created it (CreateTopic is idempotent).
   */
  createTopic(
    topic: TopicRecord,
  ): Promise<{ readonly topic: TopicRecord; readonly created: boolean }>;
  getTopic(arn: string): Promise<TopicRecord | undefined>;
  /** Topics whose ARN starts with `prefix`, in ARN order, after `afterArn` (exclusive). */
  listTopics(prefix: string, afterArn: string | undefined, limit: number): Promise<TopicRecord[]>;
  /** Replaces the stored attributes; false when the topic does not exist. */
  setTopicAttributes(arn: string, attributes: Readonly<Record<string, string>>): Promise<boolean>;
  /** Deletes the topic, its subscriptions and their pending deliveries. */
  deleteTopic(arn: string): Promise<void>;

  /**
   * Inserts the subscription unless the topic already has one for the same protocol and
   * endpoint; returns the stored one and whether this call created it. Returns undefined when the
   * topic does not exist (so a concurrent DeleteTopic cannot leave an orphan).
   */
  createSubscription(
    subscription: SubscriptionRecord,
  ): Promise<{ readonly subscription: SubscriptionRecord; readonly created: boolean } | undefined>;
  getSubscription(arn: string): Promise<SubscriptionRecord | undefined>;
  findSubscription(
    topicArn: string,
    protocol: string,
    endpoint: string,
  ): Promise<SubscriptionRecord | undefined>;
  /** Subscriptions in ARN order after `afterArn`; of one topic when `topicArn` is given. */
  listSubscriptions(query: {
    readonly prefix: string;
    readonly topicArn?: string;
    readonly afterArn?: string;
    readonly limit: number;
  }): Promise<SubscriptionRecord[]>;
  /** Every subscription of a topic (the fan-out set of a publish). */
  topicSubscriptions(topicArn: string): Promise<SubscriptionRecord[]>;
  countSubscriptions(topicArn: string): Promise<number>;
  /** Replaces the stored attributes; false when the subscription does not exist. */
  setSubscriptionAttributes(
    arn: string,
    attributes: Readonly<Record<string, string>>,
  ): Promise<boolean>;
  /** Deletes the subscription and its pending deliveries. */
  deleteSubscription(arn: string): Promise<void>;

  /** Stores the deliveries of one or more published messages, all or none. */
  enqueueDeliveries(deliveries: readonly NewDelivery[]): Promise<void>;
  /**
   * Takes up to `limit` deliveries due at `now`, oldest first, and hides them until `leaseUntil`
   * so that a crash mid-delivery retries them then (at-least-once) while nobody else takes them.
   */
  claimDeliveries(now: number, limit: number, leaseUntil: number): Promise<ClaimedDelivery[]>;
  /** Done (delivered or given up): forget it. */
  deleteDelivery(id: number): Promise<void>;
  /** Records a failed attempt and when to try next. */
  rescheduleDelivery(
    id: number,
    update: {
      readonly attempts: number;
      readonly nextAttemptAt: number;
      readonly deadLetter: boolean;
    },
  ): Promise<void>;
  /** When the earliest stored delivery is due; undefined when none is stored. */
  nextDeliveryAt(): Promise<number | undefined>;
}
