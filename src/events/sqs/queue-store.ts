import type { MessageAttributes } from './types.js';

/**
 * Durable state of the queue service. Every method is one atomic step (one transaction), so
 * an implementation on PostgreSQL can follow the SQLite one (src/store/sqlite/queues.ts).
 * Times are epoch milliseconds and always passed in: the store never reads a clock.
 */
export interface QueueStore {
  /** Inserts the queue unless one with that name exists; either way returns the stored queue. */
  createQueue(queue: NewQueue): Promise<{ queue: QueueRecord; created: boolean }>;
  getQueue(name: string): Promise<QueueRecord | undefined>;
  /** Every queue whose name starts with `prefix`, ordered by name. */
  listQueues(prefix?: string): Promise<QueueRecord[]>;
  updateQueue(
    id: number,
    change: {
      readonly attributes?: Readonly<Record<string, string>>;
      readonly tags?: Readonly<Record<string, string>>;
      readonly modifiedAt?: number;
    },
  ): Promise<void>;
  /** Deletes the queue with its messages and deduplication records. */
  deleteQueue(id: number): Promise<void>;
  /** Deletes every message of the queue and records the purge time. */
  purgeQueue(id: number, now: number): Promise<void>;

  /**
   * Stores the messages in one transaction. A message with a deduplicationKey that is
   * already recorded and unexpired is not stored again: its result names the original.
   */
  sendMessages(queueId: number, messages: readonly NewMessage[]): Promise<SentMessage[]>;
  /**
   * Takes up to `max` visible messages and makes them invisible under a new receipt, in one
   * transaction. Messages that already reached the redrive limit move to the dead-letter
   * queue instead of being returned.
   */
  receiveMessages(query: ReceiveQuery): Promise<ReceiveOutcome>;
  /** Deletes messages by receipt, in one transaction; one outcome per target, in order. */
  deleteMessages(
    queueId: number,
    targets: readonly ReceiptTarget[],
    options: { readonly now: number; readonly onlyInFlight: boolean },
  ): Promise<ReceiptOutcome[]>;
  /**
   * Sets the visibility of in-flight messages, in one transaction. A change that would keep a
   * message invisible longer than `maxInFlightMs` after its receive fails with 'limit'.
   */
  changeVisibility(
    queueId: number,
    targets: readonly (ReceiptTarget & { readonly visibleAt: number })[],
    options: { readonly now: number; readonly maxInFlightMs: number },
  ): Promise<ReceiptOutcome[]>;
  countMessages(queueId: number, now: number, retainedAfter: number): Promise<MessageCounts>;
  /** When the next invisible (delayed or in-flight) message becomes visible, if any. */
  nextVisibleAt(queueId: number, now: number): Promise<number | undefined>;
  /** Deletes messages enqueued at or before `retainedAfter` and expired deduplication records. */
  deleteExpired(queueId: number, retainedAfter: number, now: number): Promise<number>;
}

export interface NewQueue {
  readonly name: string;
  readonly fifo: boolean;
  /** Settable attributes, already validated and normalized (see queue-attributes.ts). */
  readonly attributes: Readonly<Record<string, string>>;
  readonly tags: Readonly<Record<string, string>>;
  readonly createdAt: number;
}

export interface QueueRecord extends NewQueue {
  readonly id: number;
  readonly modifiedAt: number;
  readonly lastPurgedAt?: number;
}

export interface NewMessage {
  readonly messageId: string;
  readonly body: string;
  readonly md5OfBody: string;
  readonly messageAttributes?: MessageAttributes;
  readonly senderId: string;
  readonly awsTraceHeader?: string;
  readonly groupId?: string;
  readonly deduplicationId?: string;
  /** The key deduplication is checked under (scope applied); FIFO only. */
  readonly deduplicationKey?: string;
  /** When a deduplication record made by this message expires. */
  readonly deduplicationExpiresAt?: number;
  readonly sentAt: number;
  readonly visibleAt: number;
}

export interface SentMessage {
  /** The store's id of the message: send order, and the source of FIFO sequence numbers. */
  readonly seq: number;
  readonly messageId: string;
  readonly duplicate: boolean;
}

export interface ReceiveQuery {
  readonly queueId: number;
  readonly fifo: boolean;
  readonly now: number;
  readonly max: number;
  readonly visibleAt: number;
  /** Only messages enqueued after this are alive (the retention period). */
  readonly retainedAfter: number;
  /** The receipt these messages are taken under; receipt handles embed it. */
  readonly receipt: string;
  readonly redrive?: {
    readonly targetQueueId: number;
    readonly maxReceiveCount: number;
    /** The source queue's ARN, recorded as DeadLetterQueueSourceArn. */
    readonly sourceArn: string;
    /** FIFO dead-letter queues restart the retention clock of moved messages. */
    readonly restartRetention: boolean;
  };
}

export interface StoredMessage {
  readonly seq: number;
  readonly messageId: string;
  readonly body: string;
  readonly md5OfBody: string;
  readonly messageAttributes?: MessageAttributes;
  readonly senderId: string;
  readonly awsTraceHeader?: string;
  readonly deadLetterQueueSourceArn?: string;
  readonly groupId?: string;
  readonly deduplicationId?: string;
  readonly sentAt: number;
  readonly receiveCount: number;
  readonly firstReceiveAt?: number;
}

export interface ReceiveOutcome {
  readonly messages: StoredMessage[];
  /** How many messages went to the dead-letter queue. */
  readonly redriven: number;
}

export interface ReceiptTarget {
  readonly seq: number;
  readonly receipt: string;
}

/**
 * - `done`: deleted or changed;
 * - `gone`: no such message (deleted already, or expired);
 * - `stale`: the message was received again since this receipt;
 * - `not-in-flight`: the receipt is current but the message is visible again;
 * - `limit`: the change would exceed the maximum in-flight time.
 */
export type ReceiptOutcome = 'done' | 'gone' | 'stale' | 'not-in-flight' | 'limit';

export interface MessageCounts {
  readonly visible: number;
  readonly inFlight: number;
  readonly delayed: number;
}
