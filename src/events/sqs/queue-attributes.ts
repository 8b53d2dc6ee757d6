import { sqsError } from './errors.js';
import type { MessageCounts, QueueRecord } from './queue-store.js';

/**
 * Queue attributes: which can be set, their ranges and defaults, and how GetQueueAttributes
 * renders them. Values are kept as the strings SQS returns.
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SetQueueAttributes.html
 */

const INTEGER_RANGES: Readonly<Record<string, readonly [number, number]>> = {
  DelaySeconds: [0, 900],
  MaximumMessageSize: [1024, 1_048_576],
  MessageRetentionPeriod: [60, 1_209_600],
  ReceiveMessageWaitTimeSeconds: [0, 20],
  VisibilityTimeout: [0, 43_200],
  KmsDataKeyReusePeriodSeconds: [60, 86_400],
};

const STANDARD_DEFAULTS: Readonly<Record<string, string>> = {
  VisibilityTimeout: '30',
  MaximumMessageSize: '1048576',
  MessageRetentionPeriod: '345600',
  DelaySeconds: '0',
  ReceiveMessageWaitTimeSeconds: '0',
  SqsManagedSseEnabled: 'true',
};

const FIFO_DEFAULTS: Readonly<Record<string, string>> = {
  ...STANDARD_DEFAULTS,
  FifoQueue: 'true',
  ContentBasedDeduplication: 'false',
  DeduplicationScope: 'queue',
  FifoThroughputLimit: 'perQueue',
};

const FIFO_ONLY = new Set([
  'FifoQueue',
  'ContentBasedDeduplication',
  'DeduplicationScope',
  'FifoThroughputLimit',
]);

const SETTABLE = new Set([
  ...Object.keys(INTEGER_RANGES),
  ...FIFO_ONLY,
  'SqsManagedSseEnabled',
  'KmsMasterKeyId',
  'Policy',
  'RedrivePolicy',
  'RedriveAllowPolicy',
]);

/** Computed by the service; readable, never settable. */
const COMPUTED = [
  'QueueArn',
  'ApproximateNumberOfMessages',
  'ApproximateNumberOfMessagesNotVisible',
  'ApproximateNumberOfMessagesDelayed',
  'CreatedTimestamp',
  'LastModifiedTimestamp',
] as const;

const READABLE = new Set<string>([...COMPUTED, ...SETTABLE]);

export interface RedrivePolicy {
  readonly deadLetterTargetArn: string;
  readonly maxReceiveCount: number;
}

export function unknownAttribute(name: string): Error {
  return sqsError('InvalidAttributeName', `Unknown Attribute ${name}.`);
}

function invalidValue(name: string, reason?: string): Error {
  const base = `Invalid value for the parameter ${name}.`;
  return sqsError('InvalidAttributeValue', reason ? `${base} Reason: ${reason}` : base);
}

/** The attributes a new queue stores: defaults overlaid with the normalized given ones. */
export function initialAttributes(
  given: Readonly<Record<string, string>>,
  fifo: boolean,
): Record<string, string> {
  return settleAttributes(
    withoutEmpty({ ...(fifo ? FIFO_DEFAULTS : STANDARD_DEFAULTS), ...given }),
  );
}

/** An empty value removes an optional attribute (RedrivePolicy, Policy, KmsMasterKeyId, ...). */
export function withoutEmpty(attributes: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(attributes).filter(([, value]) => value !== ''));
}

/**
 * Validates attributes given to CreateQueue or SetQueueAttributes and returns them in stored
 * form. An empty RedrivePolicy/Policy/RedriveAllowPolicy/KmsMasterKeyId removes the attribute
 * (returned as '').
 */
export function normalizeAttributes(
  given: Readonly<Record<string, string>>,
  fifo: boolean,
  operation: 'create' | 'set',
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, raw] of Object.entries(given)) {
    if (!SETTABLE.has(name) || (FIFO_ONLY.has(name) && !fifo && name !== 'FifoQueue')) {
      throw unknownAttribute(name);
    }
    out[name] = normalizeValue(name, raw, fifo, operation);
  }
  if (!fifo) {
    delete out.FifoQueue;
  }
  return out;
}

/**
 * Checks the rules that span attributes on a queue's final attribute set, and applies their
 * consequences: a customer KMS key replaces SQS-managed encryption.
 */
export function settleAttributes(attributes: Record<string, string>): Record<string, string> {
  if (
    attributes.FifoThroughputLimit === 'perMessageGroupId' &&
    attributes.DeduplicationScope !== 'messageGroup'
  ) {
    throw invalidValue(
      'FifoThroughputLimit',
      'The perMessageGroupId value is allowed only when the value for DeduplicationScope is messageGroup.',
    );
  }
  if (attributes.KmsMasterKeyId) {
    return {
      ...attributes,
      SqsManagedSseEnabled: 'false',
      KmsDataKeyReusePeriodSeconds: attributes.KmsDataKeyReusePeriodSeconds ?? '300',
    };
  }
  return attributes;
}

function normalizeValue(
  name: string,
  raw: string,
  fifo: boolean,
  operation: 'create' | 'set',
): string {
  const range = INTEGER_RANGES[name];
  if (range) {
    const n = /^\s*-?\d+\s*$/.test(raw) ? Number(raw) : NaN;
    if (!Number.isSafeInteger(n) || n < range[0] || n > range[1]) {
      throw invalidValue(name);
    }
    return String(n);
  }
  switch (name) {
    case 'FifoQueue': {
      const value = parseBoolean(name, raw);
      if (operation === 'set') {
        throw invalidValue(name, 'Modifying queue type is not supported.');
      }
      if ((value === 'true') !== fifo) {
        throw sqsError(
          'InvalidParameterValueException',
          fifo
            ? 'The name of a FIFO queue can only include alphanumeric characters, hyphens, or underscores, must end with .fifo suffix and be 1 to 80 in length.'
            : 'Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length',
        );
      }
      return value;
    }
    case 'ContentBasedDeduplication':
    case 'SqsManagedSseEnabled':
      return parseBoolean(name, raw);
    case 'DeduplicationScope':
      return oneOf(name, raw, ['messageGroup', 'queue']);
    case 'FifoThroughputLimit':
      return oneOf(name, raw, ['perQueue', 'perMessageGroupId']);
    case 'RedrivePolicy':
      return raw === '' ? '' : JSON.stringify(parseRedrivePolicy(raw));
    case 'Policy':
    case 'RedriveAllowPolicy':
      if (raw !== '' && !isJsonObject(raw)) {
        throw invalidValue(name, 'Invalid JSON.');
      }
      return raw;
    default:
      // KmsMasterKeyId: any key id or alias; no KMS here to check it against.
      return raw;
  }
}

function parseBoolean(name: string, raw: string): string {
  const value = raw.toLowerCase();
  if (value !== 'true' && value !== 'false') {
    throw invalidValue(name);
  }
  return value;
}

function oneOf(name: string, raw: string, allowed: readonly string[]): string {
  if (!allowed.includes(raw)) {
    throw invalidValue(name);
  }
  return raw;
}

function isJsonObject(raw: string): boolean {
  try {
    const value: unknown = JSON.parse(raw);
    return typeof value === 'object' && value !== null && !Array.isArray(value);
  } catch {
    return false;
  }
}

/**
 * `{"deadLetterTargetArn": "...", "maxReceiveCount": 1..1000}`; maxReceiveCount may be given as
 * a number or a numeric string, and is stored as a number, as SQS returns it.
 */
export function parseRedrivePolicy(raw: string): RedrivePolicy {
  const reason = (why: string): Error =>
    sqsError(
      'InvalidParameterValueException',
      `Value ${raw} for parameter RedrivePolicy is invalid. Reason: ${why}`,
    );
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    throw reason('Redrive policy is not a valid JSON map.');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw reason('Redrive policy is not a valid JSON map.');
  }
  const { deadLetterTargetArn, maxReceiveCount } = value as Record<string, unknown>;
  if (typeof deadLetterTargetArn !== 'string' || deadLetterTargetArn === '') {
    throw reason('Redrive policy does not contain mandatory attribute: deadLetterTargetArn.');
  }
  if (maxReceiveCount === undefined) {
    throw reason('Redrive policy does not contain mandatory attribute: maxReceiveCount.');
  }
  const count =
    typeof maxReceiveCount === 'number'
      ? maxReceiveCount
      : typeof maxReceiveCount === 'string' && /^\d+$/.test(maxReceiveCount)
        ? Number(maxReceiveCount)
        : NaN;
  if (!Number.isInteger(count) || count < 1 || count > 1000) {
    throw reason(
      `Invalid value for maxReceiveCount: ${JSON.stringify(maxReceiveCount)}, valid values are from 1 to 1000 both inclusive.`,
    );
  }
  return { deadLetterTargetArn, maxReceiveCount: count };
}

/** The queue's redrive policy, if it has one. */
export function redrivePolicyOf(queue: QueueRecord): RedrivePolicy | undefined {
  const raw = queue.attributes.RedrivePolicy;
  return raw ? (JSON.parse(raw) as RedrivePolicy) : undefined;
}

export function integerAttribute(queue: QueueRecord, name: string): number {
  return Number(queue.attributes[name] ?? STANDARD_DEFAULTS[name] ?? 0);
}

/** Validates GetQueueAttributes names; `All` expands to every attribute the queue has. */
export function expandAttributeNames(names: readonly string[]): Set<string> | 'all' {
  const wanted = new Set<string>();
  for (const name of names) {
    if (name === 'All') {
      return 'all';
    }
    if (!READABLE.has(name)) {
      throw unknownAttribute(name);
    }
    wanted.add(name);
  }
  return wanted;
}

/** GetQueueAttributes' answer, in SQS's order: computed values first, then stored ones. */
export function renderAttributes(
  queue: QueueRecord,
  arn: string,
  counts: MessageCounts | undefined,
  wanted: Set<string> | 'all',
): Record<string, string> {
  const all: Record<string, string> = {
    QueueArn: arn,
    ...(counts && {
      ApproximateNumberOfMessages: String(counts.visible),
      ApproximateNumberOfMessagesNotVisible: String(counts.inFlight),
      ApproximateNumberOfMessagesDelayed: String(counts.delayed),
    }),
    CreatedTimestamp: String(Math.floor(queue.createdAt / 1000)),
    LastModifiedTimestamp: String(Math.floor(queue.modifiedAt / 1000)),
  };
  for (const [name, value] of Object.entries(queue.attributes)) {
    if (value !== '') {
      all[name] = value;
    }
  }
  if (wanted === 'all') {
    return all;
  }
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(all)) {
    if (wanted.has(name)) {
      out[name] = value;
    }
  }
  return out;
}

/** Whether rendering needs the (table-scanning) message counts. */
export function needsCounts(wanted: Set<string> | 'all'): boolean {
  return wanted === 'all' || COMPUTED.slice(1, 4).some((name) => wanted.has(name));
}
