/**
 * Topic attributes: which ones CreateTopic and SetTopicAttributes accept, and what
 * GetTopicAttributes reports (stored ones plus the computed Owner, TopicArn, Policy,
 * EffectiveDeliveryPolicy and subscription counts).
 * https://docs.aws.amazon.com/sns/latest/api/API_SetTopicAttributes.html
 */
import type { AccountContext } from '../../core/arn.js';
import type { TopicRecord } from './topic-store.js';

/**
 * Attributes a caller may set on a standard topic. The delivery-status logging attributes are
 * accepted and reported so infrastructure tools round-trip them; Fogbank logs no delivery status.
 */
const SETTABLE = new Set([
  'DisplayName',
  'Policy',
  'DeliveryPolicy',
  'KmsMasterKeyId',
  'SignatureVersion',
  'TracingConfig',
  'ArchivePolicy',
  ...['Application', 'HTTP', 'Lambda', 'SQS', 'Firehose'].flatMap((p) => [
    `${p}SuccessFeedbackRoleArn`,
    `${p}SuccessFeedbackSampleRate`,
    `${p}FailureFeedbackRoleArn`,
  ]),
]);

/** Attributes that are JSON documents: validated as JSON, removed when set to ''. */
const JSON_ATTRIBUTES = new Set(['Policy', 'DeliveryPolicy', 'ArchivePolicy']);

/** Why an attribute was refused; callers wrap the reason in their operation's wording. */
export class TopicAttributeError extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'TopicAttributeError';
  }
}

/**
 * Applies one attribute to the stored set, validating it. `undefined`/'' removes a JSON document
 * attribute (SNS treats an empty DeliveryPolicy as unset).
 * @throws TopicAttributeError; the reason is `AttributeName` for a name SNS does not accept.
 */
export function applyTopicAttribute(
  stored: Readonly<Record<string, string>>,
  name: string,
  value: string | undefined,
): Record<string, string> {
  if (name === 'FifoTopic' || name === 'ContentBasedDeduplication' || !SETTABLE.has(name)) {
    throw new TopicAttributeError('AttributeName');
  }
  const next = { ...stored };
  const text = value ?? '';
  if (JSON_ATTRIBUTES.has(name)) {
    if (text === '') {
      return withoutKey(next, name);
    }
    checkJson(name, text);
  } else if (name === 'SignatureVersion' && text !== '1' && text !== '2') {
    throw new TopicAttributeError(`SignatureVersion: Invalid value [${text}]. Must be 1 or 2.`);
  } else if (name === 'TracingConfig' && text !== 'PassThrough' && text !== 'Active') {
    throw new TopicAttributeError(
      `TracingConfig: Invalid value [${text}]. Must be PassThrough or Active.`,
    );
  }
  next[name] = text;
  return next;
}

function checkJson(name: string, text: string): void {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new TopicAttributeError(`${name}: failed to parse JSON. ${(error as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new TopicAttributeError(`${name}: must be a JSON object`);
  }
}

/** The retry policy SNS reports for a topic with no DeliveryPolicy of its own (HTTP only). */
const DEFAULT_HTTP_POLICY = {
  defaultHealthyRetryPolicy: {
    minDelayTarget: 20,
    maxDelayTarget: 20,
    numRetries: 3,
    numMaxDelayRetries: 0,
    numNoDelayRetries: 0,
    numMinDelayRetries: 0,
    backoffFunction: 'linear',
  },
  disableSubscriptionOverrides: false,
  defaultRequestPolicy: { headerContentType: 'text/plain; charset=UTF-8' },
};

function effectiveDeliveryPolicy(deliveryPolicy: string | undefined): string {
  let http: Record<string, unknown> = DEFAULT_HTTP_POLICY;
  if (deliveryPolicy !== undefined) {
    const parsed = JSON.parse(deliveryPolicy) as { http?: Record<string, unknown> };
    const own = parsed.http ?? {};
    const ownRetry = own.defaultHealthyRetryPolicy;
    http = {
      ...DEFAULT_HTTP_POLICY,
      ...own,
      defaultHealthyRetryPolicy: {
        ...DEFAULT_HTTP_POLICY.defaultHealthyRetryPolicy,
        ...(typeof ownRetry === 'object' && ownRetry !== null ? ownRetry : {}),
      },
    };
  }
  return JSON.stringify({ http });
}

/** The access policy every new topic gets: the owner account may do everything. */
function defaultPolicy(ctx: AccountContext, arn: string): string {
  return JSON.stringify({
    Version: '2008-10-17',
    Id: '__default_policy_ID',
    Statement: [
      {
        Sid: '__default_statement_ID',
        Effect: 'Allow',
        Principal: { AWS: '*' },
        Action: [
          'SNS:GetTopicAttributes',
          'SNS:SetTopicAttributes',
          'SNS:AddPermission',
          'SNS:RemovePermission',
          'SNS:DeleteTopic',
          'SNS:Subscribe',
          'SNS:ListSubscriptionsByTopic',
          'SNS:Publish',
        ],
        Resource: arn,
        Condition: { StringEquals: { 'AWS:SourceOwner': ctx.accountId } },
      },
    ],
  });
}

/** GetTopicAttributes: stored attributes over the computed ones, in SNS's key set. */
export function describeTopic(
  ctx: AccountContext,
  topic: TopicRecord,
  confirmedSubscriptions: number,
): Record<string, string> {
  return {
    DisplayName: '',
    Policy: defaultPolicy(ctx, topic.arn),
    ...topic.attributes,
    Owner: ctx.accountId,
    TopicArn: topic.arn,
    EffectiveDeliveryPolicy: effectiveDeliveryPolicy(topic.attributes.DeliveryPolicy),
    SubscriptionsConfirmed: String(confirmedSubscriptions),
    SubscriptionsPending: '0',
    SubscriptionsDeleted: '0',
  };
}

function withoutKey(attributes: Record<string, string>, name: string): Record<string, string> {
  return Object.fromEntries(Object.entries(attributes).filter(([key]) => key !== name));
}
