/**
 * The topic service: SNS's topic, subscription and publish operations over a TopicStore, with
 * the delivery worker that fans messages out to Lambda functions and queues.
 * https://docs.aws.amazon.com/sns/latest/api/welcome.html
 */
import { randomUUID } from 'node:crypto';
import type { AccountContext } from '../../core/arn.js';
import type { Clock } from '../../core/clock.js';
import type { LambdaInvokeTarget, QueueTarget } from '../targets.js';
import {
  TOPIC_NAME,
  arnPrefix,
  checkSubscriptionArn,
  checkTopicArn,
  isLambdaFunctionArn,
  sqsQueueName,
  topicArn as topicArnOf,
} from './arns.js';
import { DeliveryWorker } from './delivery.js';
import { invalidParameter, subscriptionNotFound, topicNotFound } from './errors.js';
import { validatePublication } from './message-validation.js';
import { publishBatch } from './publish-batch.js';
import { Publisher } from './publisher.js';
import {
  SubscriptionAttributeError,
  applySubscriptionAttribute,
  describeSubscription,
  sameAttributes,
} from './subscription-attributes.js';
import { TopicAttributeError, applyTopicAttribute, describeTopic } from './topic-attributes.js';
import type { SubscriptionRecord, TopicStore } from './topic-store.js';
import type { Page, SnsService, SubscriptionSummary, Tag } from './types.js';

export interface SnsServiceOptions {
  readonly store: TopicStore;
  readonly clock: Clock;
  readonly ctx: AccountContext;
  readonly lambda: LambdaInvokeTarget;
  readonly queues: QueueTarget;
  /** Deliveries dropped or degraded, and store failures: things an operator should see. */
  readonly onWarning?: (message: string) => void;
}

/** ListTopics and ListSubscriptions return up to 100 entries per page. */
const PAGE_SIZE = 100;
const MAX_TAGS = 50;

/** Every protocol SNS knows; Fogbank delivers to `lambda` and `sqs`. */
const SNS_PROTOCOLS = new Set([
  'http',
  'https',
  'email',
  'email-json',
  'sms',
  'sqs',
  'application',
  'lambda',
  'firehose',
]);

export function createSnsService(options: SnsServiceOptions): SnsService {
  const { store, clock, ctx, lambda, queues } = options;
  const warn = options.onWarning ?? (() => undefined);
  const prefix = arnPrefix(ctx);
  const worker = new DeliveryWorker({ store, clock, lambda, queues, onWarning: warn });
  const publisher = new Publisher(
    store,
    clock,
    () => {
      worker.kick();
    },
    warn,
  );

  async function requireTopic(arn: string | undefined): Promise<string> {
    const checked = checkTopicArn(arn, ctx);
    if ((await store.getTopic(checked)) === undefined) {
      throw topicNotFound();
    }
    return checked;
  }

  async function requireSubscription(arn: string | undefined): Promise<SubscriptionRecord> {
    const subscription = await store.getSubscription(checkSubscriptionArn(arn, ctx));
    if (subscription === undefined) {
      throw subscriptionNotFound();
    }
    return subscription;
  }

  function summary(s: SubscriptionRecord): SubscriptionSummary {
    return {
      SubscriptionArn: s.arn,
      Owner: ctx.accountId,
      Protocol: s.protocol,
      Endpoint: s.endpoint,
      TopicArn: s.topicArn,
    };
  }

  /** The NextToken of a page: the last ARN it holds, opaque to clients. */
  function page<T>(items: readonly T[], lastArn: (item: T) => string): Page<T> {
    const last = items.at(-1);
    return items.length === PAGE_SIZE && last !== undefined
      ? { items, nextToken: Buffer.from(lastArn(last)).toString('base64url') }
      : { items };
  }

  function afterArn(nextToken: string | undefined): string | undefined {
    if (nextToken === undefined || nextToken === '') {
      return undefined;
    }
    const arn = Buffer.from(nextToken, 'base64url').toString('utf8');
    if (!arn.startsWith(prefix) || Buffer.from(arn).toString('base64url') !== nextToken) {
      throw invalidParameter('NextToken');
    }
    return arn;
  }

  async function checkEndpointExists(protocol: string, endpoint: string): Promise<void> {
    // DIVERGENCE: SNS accepts a subscription to a queue or function that does not exist (and
    // fails later, at delivery); Fogbank refuses it at once so that typos show up here.
    const exists =
      protocol === 'lambda'
        ? await lambda.functionExists(endpoint)
        : await queues.queueExists(endpoint);
    if (!exists) {
      throw invalidParameter(
        `Endpoint Reason: ${protocol === 'lambda' ? 'Function' : 'Queue'} ${endpoint} does not exist`,
      );
    }
  }

  return {
    start: () => {
      worker.start();
    },
    stop: () => worker.stop(),
    idle: () => worker.idle(),

    async createTopic({ name, attributes = {}, tags = [] }) {
      if (name.endsWith('.fifo') || attributes.FifoTopic?.toLowerCase() === 'true') {
        // DIVERGENCE: FIFO topics (ordering, deduplication) are not implemented.
        throw invalidParameter('Attributes Reason: FIFO topics are not supported by this server');
      }
      if (!TOPIC_NAME.test(name)) {
        throw invalidParameter('Topic Name');
      }
      let stored: Record<string, string> = {};
      for (const [key, value] of Object.entries(attributes)) {
        if (key === 'FifoTopic') {
          continue; // `false` is the default, and SNS does not keep it either.
        }
        try {
          stored = applyTopicAttribute(stored, key, value);
        } catch (error) {
          if (error instanceof TopicAttributeError) {
            throw invalidParameter(
              `Attributes Reason: ${error.message === 'AttributeName' ? `Unknown attribute ${key}` : error.message}`,
            );
          }
          throw error;
        }
      }
      checkTags(tags);
      const arn = topicArnOf(ctx, name);
      const { topic, created } = await store.createTopic({
        arn,
        attributes: stored,
        tags,
        createdAt: clock.now(),
      });
      if (!created) {
        const current: Record<string, string> = { DisplayName: '', ...topic.attributes };
        if (Object.entries(stored).some(([k, v]) => current[k] !== v)) {
          throw invalidParameter(
            'Attributes Reason: Topic already exists with different attributes',
          );
        }
        if (tags.length > 0 && !sameTags(topic.tags, tags)) {
          throw invalidParameter('Tags Reason: Topic already exists with different tags');
        }
      }
      return arn;
    },

    async deleteTopic(arn) {
      await store.deleteTopic(checkTopicArn(arn, ctx));
    },

    async listTopics(nextToken) {
      const topics = await store.listTopics(prefix, afterArn(nextToken), PAGE_SIZE);
      return page(
        topics.map((t) => t.arn),
        (arn) => arn,
      );
    },

    async getTopicAttributes(arn) {
      const topic = await store.getTopic(checkTopicArn(arn, ctx));
      if (topic === undefined) {
        throw topicNotFound();
      }
      return describeTopic(ctx, topic, await store.countSubscriptions(topic.arn));
    },

    async setTopicAttributes(arn, name, value) {
      const checked = checkTopicArn(arn, ctx);
      const topic = await store.getTopic(checked);
      if (topic === undefined) {
        throw topicNotFound();
      }
      let next: Record<string, string>;
      try {
        next = applyTopicAttribute(topic.attributes, name, value);
      } catch (error) {
        throw error instanceof TopicAttributeError ? invalidParameter(error.message) : error;
      }
      if (!(await store.setTopicAttributes(checked, next))) {
        throw topicNotFound();
      }
    },

    async subscribe({ topicArn, protocol, endpoint, attributes = {} }) {
      const checkedTopic = checkTopicArn(topicArn, ctx);
      const normalizedProtocol = protocol.toLowerCase();
      if (!SNS_PROTOCOLS.has(normalizedProtocol)) {
        throw invalidParameter(`Amazon SNS does not support this protocol string: ${protocol}`);
      }
      if (normalizedProtocol !== 'lambda' && normalizedProtocol !== 'sqs') {
        // DIVERGENCE: only AWS-managed endpoints that live in this server can be delivered to.
        throw invalidParameter(
          `Protocol Reason: ${protocol} subscriptions are not supported by this server (use lambda or sqs)`,
        );
      }
      if (endpoint === undefined || endpoint === '') {
        throw invalidParameter('Endpoint Reason: no value for required parameter');
      }
      if (normalizedProtocol === 'sqs') {
        const queueName = sqsQueueName(endpoint);
        if (queueName === undefined) {
          throw invalidParameter('SQS endpoint ARN');
        }
        if (queueName.endsWith('.fifo')) {
          // SNS really does say "Invalid parameter:" twice here.
          throw invalidParameter(
            'Invalid parameter: Endpoint Reason: FIFO SQS Queues can not be subscribed to standard SNS topics',
          );
        }
      } else if (!isLambdaFunctionArn(endpoint)) {
        throw invalidParameter('Lambda endpoint ARN');
      }
      if ((await store.getTopic(checkedTopic)) === undefined) {
        throw topicNotFound();
      }
      let requested: Record<string, string> = {};
      // The policy last, so it is checked under the scope given with it.
      const ordered = Object.entries(attributes).sort(
        ([a], [b]) => Number(a === 'FilterPolicy') - Number(b === 'FilterPolicy'),
      );
      for (const [key, value] of ordered) {
        try {
          requested = applySubscriptionAttribute(requested, normalizedProtocol, key, value);
        } catch (error) {
          if (error instanceof SubscriptionAttributeError) {
            const reason =
              error.message === 'AttributeName' ? `Unknown attribute ${key}` : error.message;
            throw invalidParameter(error.standalone ? reason : `Attributes Reason: ${reason}`);
          }
          throw error;
        }
      }
      const existing = await store.findSubscription(checkedTopic, normalizedProtocol, endpoint);
      if (existing !== undefined) {
        if (!sameAttributes(existing.attributes, requested)) {
          throw invalidParameter(
            'Attributes Reason: Subscription already exists with different attributes',
          );
        }
        return existing.arn;
      }
      await checkEndpointExists(normalizedProtocol, endpoint);
      const created = await store.createSubscription({
        arn: `${checkedTopic}:${randomUUID()}`,
        topicArn: checkedTopic,
        protocol: normalizedProtocol,
        endpoint,
        attributes: requested,
        createdAt: clock.now(),
      });
      if (created === undefined) {
        throw topicNotFound();
      }
      return created.subscription.arn;
    },

    async unsubscribe(arn) {
      await store.deleteSubscription(checkSubscriptionArn(arn, ctx));
    },

    async listSubscriptions(nextToken) {
      const rows = await store.listSubscriptions({
        prefix,
        limit: PAGE_SIZE,
        ...optional('afterArn', afterArn(nextToken)),
      });
      return page(rows.map(summary), (s) => s.SubscriptionArn);
    },

    async listSubscriptionsByTopic(arn, nextToken) {
      const topicArn = await requireTopic(arn);
      const rows = await store.listSubscriptions({
        prefix,
        topicArn,
        limit: PAGE_SIZE,
        ...optional('afterArn', afterArn(nextToken)),
      });
      return page(rows.map(summary), (s) => s.SubscriptionArn);
    },

    async getSubscriptionAttributes(arn) {
      return describeSubscription(ctx, await requireSubscription(arn));
    },

    async setSubscriptionAttributes(arn, name, value) {
      const subscription = await requireSubscription(arn);
      let next: Record<string, string>;
      try {
        next = applySubscriptionAttribute(
          subscription.attributes,
          subscription.protocol,
          name,
          value,
        );
      } catch (error) {
        throw error instanceof SubscriptionAttributeError ? invalidParameter(error.message) : error;
      }
      if (!(await store.setSubscriptionAttributes(subscription.arn, next))) {
        throw subscriptionNotFound();
      }
    },

    async publish(input) {
      if (input.phoneNumber !== undefined) {
        // DIVERGENCE: there is no SMS here.
        throw invalidParameter('PhoneNumber Reason: SMS is not supported by this server');
      }
      if (input.topicArn !== undefined && input.targetArn !== undefined) {
        throw invalidParameter('TopicArn Reason: Only one of TopicArn or TargetArn may be given');
      }
      const target = input.topicArn ?? input.targetArn;
      if (target === undefined) {
        throw invalidParameter('TopicArn or TargetArn Reason: no value for required parameter');
      }
      const checked = checkTopicArn(
        target,
        ctx,
        input.topicArn !== undefined ? 'TopicArn' : 'TargetArn',
      );
      if (input.messageDeduplicationId !== undefined) {
        throw invalidParameter(
          'MessageDeduplicationId Reason: The request includes MessageDeduplicationId parameter that is not valid for this topic type',
        );
      }
      const [messageId = ''] = await publisher.publish(checked, [validatePublication(input)]);
      return messageId;
    },

    async publishBatch(arn, entries) {
      const checked = checkTopicArn(arn, ctx);
      return publishBatch(
        checked,
        entries,
        async (topicArn) => {
          await requireTopic(topicArn);
        },
        (topicArn, publications) => publisher.publish(topicArn, publications),
      );
    },

    async publishToTopic(arn, message, attributes) {
      const checked = checkTopicArn(arn, ctx);
      const publication = validatePublication({ message, messageAttributes: attributes });
      const [messageId = ''] = await publisher.publish(checked, [publication]);
      return messageId;
    },

    async topicExists(arn) {
      try {
        return (await store.getTopic(checkTopicArn(arn, ctx))) !== undefined;
      } catch {
        return false;
      }
    },
  };
}

function optional<K extends string, V>(key: K, value: V | undefined): Partial<Record<K, V>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, V>);
}

/** Tag rules: at most 50, keys 1–128 characters and unique, values up to 256. */
function checkTags(tags: readonly Tag[]): void {
  if (tags.length > MAX_TAGS) {
    throw invalidParameter(
      `Tags Reason: Could not complete request: tag quota of per resource exceeded`,
    );
  }
  const keys = new Set<string>();
  for (const { Key, Value } of tags) {
    if (Key.length < 1 || Key.length > 128 || Value.length > 256) {
      throw invalidParameter(
        'Tags Reason: A tag key must be 1–128 characters and a value up to 256',
      );
    }
    if (keys.has(Key)) {
      throw invalidParameter('Duplicated keys are not allowed.');
    }
    keys.add(Key);
  }
}

function sameTags(a: readonly Tag[], b: readonly Tag[]): boolean {
  const asMap = (tags: readonly Tag[]): string =>
    JSON.stringify(
      tags.map((t) => [t.Key, t.Value]).sort((x, y) => (x[0] ?? '').localeCompare(y[0] ?? '')),
    );
  return asMap(a) === asMap(b);
}
