/**
 * Fan-out: a validated message becomes one stored delivery per subscription whose filter policy
 * accepts it, all in one transaction, before Publish answers. Filtering happens here, at
 * publish time, against the subscriptions the topic has at that moment.
 * https://docs.aws.amazon.com/sns/latest/dg/sns-message-filtering.html
 */
import { randomUUID } from 'node:crypto';
import type { Clock } from '../../core/clock.js';
import { topicNotFound } from './errors.js';
import { compileFilterPolicy, type CompiledFilterPolicy } from './filter-policy.js';
import { messageFor, type Publication } from './message-validation.js';
import { storedAttributes, type Notification } from './notification.js';
import { filterPolicyScope } from './subscription-attributes.js';
import type { NewDelivery, SubscriptionRecord, TopicStore } from './topic-store.js';

/** Compiled policies kept for reuse; a policy text compiles the same every time. */
const MAX_CACHED_POLICIES = 1_000;

export class Publisher {
  readonly #store: TopicStore;
  readonly #clock: Clock;
  readonly #onAccepted: () => void;
  readonly #warn: (message: string) => void;
  readonly #policies = new Map<string, CompiledFilterPolicy>();

  /** `onAccepted` runs after deliveries are stored (the delivery worker's kick). */
  constructor(
    store: TopicStore,
    clock: Clock,
    onAccepted: () => void,
    onWarning: (message: string) => void,
  ) {
    this.#store = store;
    this.#clock = clock;
    this.#onAccepted = onAccepted;
    this.#warn = onWarning;
  }

  /**
   * Stores the deliveries of every publication (all or none) and returns their MessageIds.
   * @throws NotFound when the topic does not exist.
   */
  async publish(topicArn: string, publications: readonly Publication[]): Promise<string[]> {
    if ((await this.#store.getTopic(topicArn)) === undefined) {
      throw topicNotFound();
    }
    const subscriptions = await this.#store.topicSubscriptions(topicArn);
    const now = this.#clock.now();
    const deliveries: NewDelivery[] = [];
    const messageIds: string[] = [];
    for (const publication of publications) {
      const messageId = randomUUID();
      messageIds.push(messageId);
      // Attributes travel with the message only when it has no MessageStructure (as on AWS).
      const attributes =
        publication.perProtocol === undefined ? storedAttributes(publication.attributes) : {};
      for (const subscription of subscriptions) {
        const message = messageFor(publication, subscription.protocol);
        if (!this.#accepts(subscription, message, publication)) {
          continue;
        }
        const notification: Notification = {
          messageId,
          topicArn,
          ...(publication.subject !== undefined && { subject: publication.subject }),
          message,
          timestamp: now,
          attributes,
        };
        deliveries.push({
          subscriptionArn: subscription.arn,
          notification: JSON.stringify(notification),
          nextAttemptAt: now,
          createdAt: now,
        });
      }
    }
    if (deliveries.length > 0) {
      await this.#store.enqueueDeliveries(deliveries);
      this.#onAccepted();
    }
    return messageIds;
  }

  #accepts(subscription: SubscriptionRecord, message: string, publication: Publication): boolean {
    const policy = subscription.attributes.FilterPolicy;
    if (policy === undefined) {
      return true;
    }
    const scope = filterPolicyScope(subscription.attributes);
    const key = `${scope}\n${policy}`;
    let compiled = this.#policies.get(key);
    if (compiled === undefined) {
      try {
        compiled = compileFilterPolicy(policy, scope);
      } catch (error) {
        // Policies are validated when set; one that no longer compiles filters everything out.
        this.#warn(`SNS filter policy of ${subscription.arn} does not compile: ${String(error)}`);
        return false;
      }
      if (this.#policies.size >= MAX_CACHED_POLICIES) {
        this.#policies.clear();
      }
      this.#policies.set(key, compiled);
    }
    return compiled.matches(message, publication.attributes);
  }
}
