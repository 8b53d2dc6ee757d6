/**
 * Subscription attributes: what Subscribe and SetSubscriptionAttributes accept (with SNS's
 * reasons for refusing), and what GetSubscriptionAttributes reports.
 * https://docs.aws.amazon.com/sns/latest/api/API_SetSubscriptionAttributes.html
 */
import type { AccountContext } from '../../core/arn.js';
import { sqsQueueName } from './arns.js';
import { FilterPolicyError, compileFilterPolicy, type FilterPolicyScope } from './filter-policy.js';
import type { SubscriptionRecord } from './topic-store.js';

/** Why an attribute was refused. */
export class SubscriptionAttributeError extends Error {
  /** The reason stands alone instead of following the operation's `Attributes Reason:`. */
  readonly standalone: boolean;
  constructor(reason: string, standalone = false) {
    super(reason);
    this.name = 'SubscriptionAttributeError';
    this.standalone = standalone;
  }
}

const DEFAULTS: Readonly<Record<string, string>> = {
  RawMessageDelivery: 'false',
  FilterPolicyScope: 'MessageAttributes',
};

/** JSON documents that an empty value removes. */
const REMOVABLE = new Set(['FilterPolicy', 'RedrivePolicy', 'DeliveryPolicy']);

/**
 * Applies one attribute to the stored set, validating it against the protocol and the other
 * attributes (a FilterPolicy is checked under the scope it will be used with).
 * @throws SubscriptionAttributeError with SNS's reason; `AttributeName` for an unknown name.
 */
export function applySubscriptionAttribute(
  stored: Readonly<Record<string, string>>,
  protocol: string,
  name: string,
  value: string | undefined,
): Record<string, string> {
  const next = { ...stored };
  const text = value ?? '';
  if (REMOVABLE.has(name) && text === '') {
    return withoutKey(next, name);
  }
  switch (name) {
    case 'RawMessageDelivery': {
      const flag = text.toLowerCase();
      if (flag !== 'true' && flag !== 'false') {
        throw new SubscriptionAttributeError(
          `RawMessageDelivery: Invalid value [${text}]. Must be true or false.`,
        );
      }
      if (flag === 'true' && protocol === 'lambda') {
        throw new SubscriptionAttributeError(
          'Delivery protocol [lambda] does not support raw message delivery.',
        );
      }
      next[name] = flag;
      return next;
    }
    case 'FilterPolicyScope':
      if (text !== 'MessageAttributes' && text !== 'MessageBody') {
        throw new SubscriptionAttributeError(
          `FilterPolicyScope: Invalid value [${text}]. Please use either MessageBody or MessageAttributes`,
        );
      }
      next[name] = text;
      checkFilterPolicy(next);
      return next;
    case 'FilterPolicy':
      next[name] = text;
      checkFilterPolicy(next);
      return next;
    case 'RedrivePolicy':
      next[name] = checkRedrivePolicy(text);
      return next;
    case 'DeliveryPolicy':
      parseJson(name, text);
      next[name] = text;
      return next;
    case 'SubscriptionRoleArn':
      next[name] = text;
      return next;
    default:
      throw new SubscriptionAttributeError('AttributeName');
  }
}

function checkFilterPolicy(attributes: Readonly<Record<string, string>>): void {
  const policy = attributes.FilterPolicy;
  if (policy === undefined) {
    return;
  }
  try {
    compileFilterPolicy(policy, filterPolicyScope(attributes));
  } catch (error) {
    if (error instanceof FilterPolicyError) {
      throw error.scopeConflict
        ? new SubscriptionAttributeError(error.message, true)
        : new SubscriptionAttributeError(`FilterPolicy: ${error.message}`);
    }
    throw error;
  }
}

function parseJson(name: string, text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new SubscriptionAttributeError(
      `${name}: failed to parse JSON. ${(error as Error).message}`,
    );
  }
}

/** `{"deadLetterTargetArn": "<sqs queue arn>"}`; returned compact. */
function checkRedrivePolicy(text: string): string {
  const parsed = parseJson('RedrivePolicy', text);
  const target =
    typeof parsed === 'object' && parsed !== null
      ? (parsed as Record<string, unknown>).deadLetterTargetArn
      : undefined;
  if (typeof target !== 'string' || sqsQueueName(target) === undefined) {
    throw new SubscriptionAttributeError('RedrivePolicy: deadLetterTargetArn is an invalid arn');
  }
  return JSON.stringify({ deadLetterTargetArn: target });
}

export function filterPolicyScope(attributes: Readonly<Record<string, string>>): FilterPolicyScope {
  return attributes.FilterPolicyScope === 'MessageBody' ? 'MessageBody' : 'MessageAttributes';
}

export function isRawDelivery(subscription: SubscriptionRecord): boolean {
  return subscription.attributes.RawMessageDelivery === 'true';
}

/** The dead-letter queue ARN of a subscription's RedrivePolicy, if it has one. */
export function deadLetterTarget(subscription: SubscriptionRecord): string | undefined {
  const policy = subscription.attributes.RedrivePolicy;
  return policy === undefined
    ? undefined
    : (JSON.parse(policy) as { deadLetterTargetArn: string }).deadLetterTargetArn;
}

/**
 * Whether Subscribe's attributes agree with an existing subscription's: every attribute given
 * must equal the existing (or default) value; attributes left out do not matter.
 */
export function sameAttributes(
  existing: Readonly<Record<string, string>>,
  requested: Readonly<Record<string, string>>,
): boolean {
  return Object.entries(requested).every(([name, value]) => {
    const current = existing[name] ?? DEFAULTS[name];
    return name === 'FilterPolicy' && current !== undefined
      ? JSON.stringify(JSON.parse(current)) === JSON.stringify(JSON.parse(value))
      : current === value;
  });
}

/** GetSubscriptionAttributes. FilterPolicyScope shows only alongside a FilterPolicy, as on AWS. */
export function describeSubscription(
  ctx: AccountContext,
  subscription: SubscriptionRecord,
): Record<string, string> {
  const { FilterPolicyScope, ...own } = subscription.attributes;
  return {
    ConfirmationWasAuthenticated: 'true',
    Endpoint: subscription.endpoint,
    Owner: ctx.accountId,
    PendingConfirmation: 'false',
    Protocol: subscription.protocol,
    RawMessageDelivery: 'false',
    SubscriptionArn: subscription.arn,
    TopicArn: subscription.topicArn,
    ...own,
    ...(own.FilterPolicy !== undefined && {
      FilterPolicyScope: FilterPolicyScope ?? 'MessageAttributes',
    }),
  };
}

function withoutKey(attributes: Record<string, string>, name: string): Record<string, string> {
  return Object.fromEntries(Object.entries(attributes).filter(([key]) => key !== name));
}
