/**
 * The delivery worker: takes stored deliveries when they fall due, hands each to its subscriber
 * (an async Lambda invoke or a queue send), forgets it once delivered, and otherwise retries it
 * on SNS's schedule until the policy runs out, when it goes to the subscription's dead-letter
 * queue or is dropped. Everything it does is recorded in the store first, so a crash loses
 * nothing that was acknowledged (at-least-once, as on AWS).
 * https://docs.aws.amazon.com/sns/latest/dg/sns-message-delivery-retries.html
 * https://docs.aws.amazon.com/sns/latest/dg/sns-dead-letter-queues.html
 */
import type { Clock, TimerHandle } from '../../core/clock.js';
import { ServiceError } from '../../core/errors.js';
import type { LambdaInvokeTarget, QueueTarget } from '../targets.js';
import { lambdaEvent, rawQueueAttributes, sqsEnvelope, type Notification } from './notification.js';
import { deadLetterTarget, isRawDelivery } from './subscription-attributes.js';
import type { ClaimedDelivery, SubscriptionRecord, TopicStore } from './topic-store.js';

/** Deliveries taken per round; they are attempted concurrently. */
const BATCH = 50;
/** How long a taken delivery stays hidden: after a crash it is retried then. */
const LEASE_MS = 30_000;
/** How soon the worker tries again after the store itself failed. */
const STORE_RETRY_MS = 1_000;
/** SQS refuses raw deliveries with more attributes than this (a client-side error on AWS). */
const MAX_RAW_ATTRIBUTES = 10;

/**
 * The delay before the next attempt after `failures` failed ones, or undefined when the policy is
 * exhausted. AWS-managed endpoints (Lambda, SQS): 3 attempts without delay, 2 a second apart,
 * 10 with exponential backoff from 1 s to 20 s, then 100,000 at 20 s: 100,015 attempts in all.
 */
export function retryDelayMs(failures: number): number | undefined {
  if (failures < 3) {
    return 0;
  }
  if (failures < 5) {
    return 1_000;
  }
  if (failures < 15) {
    return Math.round(1_000 * 20 ** ((failures - 5) / 9));
  }
  return failures < 100_015 ? 20_000 : undefined;
}

/** A failure SNS does not retry: the endpoint refused the message for good. */
class ClientSideError extends Error {}

/**
 * Client-side errors (a deleted function or queue, a raw message SQS cannot take) are not
 * retried; throttling and server-side errors are.
 */
function isClientSide(error: unknown): boolean {
  return (
    error instanceof ClientSideError ||
    (error instanceof ServiceError && error.fault === 'client' && error.statusCode !== 429)
  );
}

export interface DeliveryWorkerOptions {
  readonly store: TopicStore;
  readonly clock: Clock;
  readonly lambda: LambdaInvokeTarget;
  readonly queues: QueueTarget;
  readonly onWarning: (message: string) => void;
}

export class DeliveryWorker {
  readonly #store: TopicStore;
  readonly #clock: Clock;
  readonly #lambda: LambdaInvokeTarget;
  readonly #queues: QueueTarget;
  readonly #warn: (message: string) => void;
  #started = false;
  #running: Promise<void> | undefined;
  #again = false;
  #timer: TimerHandle | undefined;

  constructor(options: DeliveryWorkerOptions) {
    this.#store = options.store;
    this.#clock = options.clock;
    this.#lambda = options.lambda;
    this.#queues = options.queues;
    this.#warn = options.onWarning;
  }

  start(): void {
    this.#started = true;
    this.kick();
  }

  async stop(): Promise<void> {
    this.#started = false;
    this.#clearTimer();
    await this.idle();
  }

  /** Resolves once no round is running (new deliveries may start a new one afterwards). */
  async idle(): Promise<void> {
    while (this.#running) {
      await this.#running;
    }
  }

  /** Something may be due now (a publish just stored deliveries): run a round soon. */
  kick(): void {
    if (!this.#started) {
      return;
    }
    if (this.#running) {
      this.#again = true;
      return;
    }
    this.#running = this.#round().finally(() => {
      this.#running = undefined;
      if (this.#again) {
        this.#again = false;
        this.kick();
      }
    });
  }

  #clearTimer(): void {
    if (this.#timer) {
      this.#clock.clearTimeout(this.#timer);
      this.#timer = undefined;
    }
  }

  #wakeAt(at: number): void {
    this.#clearTimer();
    if (this.#started) {
      this.#timer = this.#clock.setTimeout(
        () => {
          this.#timer = undefined;
          this.kick();
        },
        Math.max(0, at - this.#clock.now()),
      );
    }
  }

  /** Delivers everything due, then sleeps until the next stored delivery falls due. */
  async #round(): Promise<void> {
    this.#clearTimer();
    try {
      while (this.#started) {
        this.#again = false;
        const now = this.#clock.now();
        const batch = await this.#store.claimDeliveries(now, BATCH, now + LEASE_MS);
        if (batch.length === 0) {
          break;
        }
        await Promise.all(batch.map((delivery) => this.#attempt(delivery)));
      }
      const next = await this.#store.nextDeliveryAt();
      if (next !== undefined) {
        this.#wakeAt(next);
      }
    } catch (error) {
      this.#warn(`SNS delivery: the topic store failed: ${String(error)}`);
      this.#wakeAt(this.#clock.now() + STORE_RETRY_MS);
    }
  }

  async #attempt(delivery: ClaimedDelivery): Promise<void> {
    const { subscription } = delivery;
    if (subscription === undefined) {
      await this.#store.deleteDelivery(delivery.id);
      return;
    }
    const notification = JSON.parse(delivery.notification) as Notification;
    try {
      if (delivery.deadLetter) {
        await this.#sendToDeadLetterQueue(subscription, notification);
      } else {
        await this.#deliver(subscription, notification);
      }
      await this.#store.deleteDelivery(delivery.id);
    } catch (error) {
      await this.#failed(delivery, subscription, notification, error);
    }
  }

  async #failed(
    delivery: ClaimedDelivery,
    subscription: SubscriptionRecord,
    notification: Notification,
    error: unknown,
  ): Promise<void> {
    const attempts = delivery.attempts + 1;
    const delay = isClientSide(error) ? undefined : retryDelayMs(attempts);
    if (delay !== undefined) {
      await this.#store.rescheduleDelivery(delivery.id, {
        attempts,
        nextAttemptAt: this.#clock.now() + delay,
        deadLetter: delivery.deadLetter,
      });
      return;
    }
    const what = `message ${notification.messageId} for ${subscription.arn}`;
    if (!delivery.deadLetter && deadLetterTarget(subscription) !== undefined) {
      // The dead-letter send gets a retry schedule of its own.
      await this.#store.rescheduleDelivery(delivery.id, {
        attempts: 0,
        nextAttemptAt: this.#clock.now(),
        deadLetter: true,
      });
      return;
    }
    this.#warn(
      delivery.deadLetter
        ? `SNS dropped ${what}: its dead-letter queue refused it (${String(error)})`
        : `SNS dropped ${what} after ${String(attempts)} attempt(s): ${String(error)}`,
    );
    await this.#store.deleteDelivery(delivery.id);
  }

  async #deliver(subscription: SubscriptionRecord, notification: Notification): Promise<void> {
    switch (subscription.protocol) {
      case 'lambda': {
        const event = lambdaEvent(notification, subscription.arn);
        await this.#lambda.invokeAsync(subscription.endpoint, Buffer.from(JSON.stringify(event)));
        return;
      }
      case 'sqs':
        await this.#sendToQueue(subscription.endpoint, subscription, notification);
        return;
      default:
        throw new ClientSideError(`protocol ${subscription.protocol} cannot be delivered`);
    }
  }

  /** A dead letter keeps the form the subscription would have received (raw or envelope). */
  async #sendToDeadLetterQueue(
    subscription: SubscriptionRecord,
    notification: Notification,
  ): Promise<void> {
    const target = deadLetterTarget(subscription);
    if (target === undefined) {
      throw new ClientSideError('the subscription no longer has a RedrivePolicy');
    }
    await this.#sendToQueue(target, subscription, notification);
  }

  async #sendToQueue(
    queueArn: string,
    subscription: SubscriptionRecord,
    notification: Notification,
  ): Promise<void> {
    if (!isRawDelivery(subscription)) {
      await this.#queues.sendToQueue(queueArn, sqsEnvelope(notification, subscription.arn));
      return;
    }
    if (Object.keys(notification.attributes).length > MAX_RAW_ATTRIBUTES) {
      throw new ClientSideError(
        `a raw delivery to SQS carries at most ${String(MAX_RAW_ATTRIBUTES)} message attributes`,
      );
    }
    const { attributes, dropped } = rawQueueAttributes(notification);
    if (dropped.length > 0) {
      this.#warn(
        `SNS raw delivery of message ${notification.messageId} to ${queueArn} left out binary attribute(s) ${dropped.join(', ')}`,
      );
    }
    await (Object.keys(attributes).length > 0
      ? this.#queues.sendToQueue(queueArn, notification.message, attributes)
      : this.#queues.sendToQueue(queueArn, notification.message));
  }
}
