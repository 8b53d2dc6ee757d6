/**
 * SNS's ARNs: `arn:aws:sns:<region>:<account>:<topic>` and, for subscriptions,
 * `<topic arn>:<uuid>`, with the errors SNS gives for malformed ones.
 */
import type { AccountContext } from '../../core/arn.js';
import type { ServiceError } from '../../core/errors.js';
import { invalidParameter, missingMember } from './errors.js';

/** Standard topic names: 1–256 ASCII letters, digits, hyphens and underscores. */
export const TOPIC_NAME = /^[A-Za-z0-9_-]{1,256}$/;

export function topicArn(ctx: AccountContext, name: string): string {
  return `arn:aws:sns:${ctx.region}:${ctx.accountId}:${name}`;
}

/** `arn:aws:sns:<region>:<account>:` — what every topic and subscription ARN here starts with. */
export function arnPrefix(ctx: AccountContext): string {
  return `arn:aws:sns:${ctx.region}:${ctx.accountId}:`;
}

/** The topic ARN of a subscription ARN (everything before its last `:`). */
export function topicOfSubscription(subscriptionArn: string): string {
  return subscriptionArn.slice(0, subscriptionArn.lastIndexOf(':'));
}

function elementCountError(member: string, count: number): ServiceError {
  return invalidParameter(
    `${member} Reason: An ARN must have at least 6 elements, not ${String(count)}`,
  );
}

/**
 * Checks a TopicArn input: malformed ARNs and ARNs of another region, account or service are
 * InvalidParameter, as SNS answers them (it does not say NotFound for another region's topic).
 */
export function checkTopicArn(
  arn: string | undefined,
  ctx: AccountContext,
  member = 'TopicArn',
): string {
  if (arn === undefined) {
    throw missingMember(member.charAt(0).toLowerCase() + member.slice(1));
  }
  const parts = arn.split(':');
  if (parts.length < 6) {
    throw elementCountError(member, parts.length);
  }
  if (parts.length > 6) {
    // A subscription ARN where a topic belongs: SNS reads the extra element as part of the name.
    throw invalidParameter('Topic Name');
  }
  const [scheme, partition, service, region, account, name = ''] = parts;
  if (
    scheme !== 'arn' ||
    partition !== 'aws' ||
    service !== 'sns' ||
    region !== ctx.region ||
    account !== ctx.accountId ||
    !TOPIC_NAME.test(name)
  ) {
    throw invalidParameter(member);
  }
  return arn;
}

/** Checks a SubscriptionArn input; returns it when well-formed for this server. */
export function checkSubscriptionArn(arn: string | undefined, ctx: AccountContext): string {
  if (arn === undefined || arn === '') {
    throw invalidParameter('SubscriptionArn Reason: no value for required parameter');
  }
  const parts = arn.split(':');
  if (parts.length < 6) {
    throw elementCountError('SubscriptionArn', parts.length);
  }
  if (parts.length === 6 || !/^[0-9a-f-]{36}$/.test(parts[6] ?? '') || parts.length > 7) {
    throw invalidParameter('SubscriptionId');
  }
  checkTopicArn(topicOfSubscription(arn), ctx, 'SubscriptionArn');
  return arn;
}

const SQS_ARN = /^arn:aws:sqs:([a-z0-9-]+):(\d{12}):([A-Za-z0-9_-]{1,80}(?:\.fifo)?)$/;
const LAMBDA_ARN =
  /^arn:aws:lambda:([a-z0-9-]+):(\d{12}):function:[A-Za-z0-9_-]{1,140}(?::(?:\$LATEST|[A-Za-z0-9_-]{1,128}))?$/;

/** The queue name of an SQS queue ARN, or undefined when the text is not one. */
export function sqsQueueName(arn: string): string | undefined {
  return SQS_ARN.exec(arn)?.[3];
}

export function isLambdaFunctionArn(arn: string): boolean {
  return LAMBDA_ARN.test(arn);
}
