import { invalidParameter, invalidParameterValue, sqsError } from './errors.js';
import type { MessageAttributes } from './types.js';

/**
 * SQS's limits on message content and batches.
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/quotas-messages.html
 */

export const MAX_BATCH_ENTRIES = 10;
/** The total payload of one batch request. */
export const MAX_BATCH_BYTES = 1_048_576;
const MAX_MESSAGE_ATTRIBUTES = 10;
const BATCH_ENTRY_ID = /^[A-Za-z0-9_-]{1,80}$/;
/** Alphanumerics and punctuation, 1–128: MessageGroupId and MessageDeduplicationId. */
const TOKEN = /^[\x21-\x7e]{1,128}$/;
const ATTRIBUTE_NAME = /^[A-Za-z0-9_.-]{1,256}$/;
const ATTRIBUTE_TYPE = /^(String|Number|Binary)(\..+)?$/;
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/**
 * The characters SQS accepts in a body or a string attribute: #x9 | #xA | #xD | #x20 to #xD7FF |
 * #xE000 to #xFFFD | #x10000 to #x10FFFF. Returns the first other code point.
 */
function firstInvalidCharacter(text: string): number | undefined {
  for (const char of text) {
    const c = char.codePointAt(0) ?? 0;
    const ok =
      c === 0x9 ||
      c === 0xa ||
      c === 0xd ||
      (c >= 0x20 && c <= 0xd7ff) ||
      (c >= 0xe000 && c <= 0xfffd) ||
      (c >= 0x10000 && c <= 0x10ffff);
    if (!ok) {
      return c;
    }
  }
  return undefined;
}

function invalidContents(c: number, where: string): Error {
  return sqsError(
    'InvalidMessageContents',
    `Invalid binary character '#x${c.toString(16).toUpperCase()}' was found in ${where}, the set of allowed characters is #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF`,
  );
}

export function validateBody(body: string): void {
  if (body.length === 0) {
    throw invalidParameterValue('The request must contain a non-empty message body.');
  }
  const bad = firstInvalidCharacter(body);
  if (bad !== undefined) {
    throw invalidContents(bad, 'the message body');
  }
}

/** Validates user message attributes (or, with kind 'system', MessageSystemAttributes). */
export function validateMessageAttributes(
  attributes: MessageAttributes,
  kind: 'user' | 'system',
): void {
  const names = Object.keys(attributes);
  if (kind === 'user' && names.length > MAX_MESSAGE_ATTRIBUTES) {
    throw invalidParameterValue(
      `Number of message attributes [${names.length}] exceeds the allowed maximum [${MAX_MESSAGE_ATTRIBUTES}].`,
    );
  }
  for (const name of names) {
    const value = attributes[name];
    if (!value) {
      continue;
    }
    if (kind === 'system') {
      if (name !== 'AWSTraceHeader') {
        throw invalidParameterValue(`Message system attribute name '${name}' is invalid.`);
      }
      if (value.dataType !== 'String') {
        throw invalidParameterValue(
          `The message system attribute '${name}' must contain DataType String.`,
        );
      }
    } else if (
      !ATTRIBUTE_NAME.test(name) ||
      /^(aws|amazon)\./i.test(name) ||
      name.startsWith('.') ||
      name.endsWith('.') ||
      name.includes('..')
    ) {
      throw invalidParameterValue(
        `Message (user) attribute name '${name}' is invalid. The attribute name can contain A-Z, a-z, 0-9, underscore (_), hyphen (-), and period (.) characters, must not start or end with a period, must not contain successive periods, and must not start with AWS. or Amazon.`,
      );
    }
    validateAttributeValue(name, value);
  }
}

function validateAttributeValue(name: string, value: MessageAttributes[string] & object): void {
  const type = ATTRIBUTE_TYPE.exec(value.dataType)?.[1];
  if (!type || value.dataType.length > 256) {
    throw invalidParameterValue(
      `The type of message (user) attribute '${name}' is invalid. You must use only the following supported type prefixes: Binary, Number, String.`,
    );
  }
  const empty = (): Error =>
    invalidParameterValue(
      `The message attribute '${name}' must contain non-empty message attribute value for message attribute type '${type}'.`,
    );
  if (type === 'Binary') {
    if (!value.binaryValue || value.binaryValue.length === 0) {
      throw empty();
    }
    return;
  }
  if (value.stringValue === undefined || value.stringValue === '') {
    throw empty();
  }
  if (type === 'Number' && !NUMBER.test(value.stringValue)) {
    throw invalidParameterValue(
      `Can't cast the value of message (user) attribute '${name}' to a number.`,
    );
  }
  const bad = firstInvalidCharacter(value.stringValue);
  if (bad !== undefined) {
    throw invalidContents(bad, `the message attribute '${name}'`);
  }
}

/** The bytes a message counts against MaximumMessageSize: body plus every attribute part. */
export function messageSize(body: string, attributes: MessageAttributes | undefined): number {
  let size = Buffer.byteLength(body, 'utf8');
  for (const [name, value] of Object.entries(attributes ?? {})) {
    size += Buffer.byteLength(name, 'utf8') + Buffer.byteLength(value.dataType, 'utf8');
    size +=
      value.binaryValue !== undefined
        ? value.binaryValue.length
        : Buffer.byteLength(value.stringValue ?? '', 'utf8');
  }
  return size;
}

export function validateToken(parameter: string, value: string): void {
  if (!TOKEN.test(value)) {
    throw invalidParameterValue(
      `${parameter} can only include alphanumeric and punctuation characters. 1 to 128 in length.`,
    );
  }
}

export function validateDelay(delaySeconds: number): void {
  if (!Number.isInteger(delaySeconds) || delaySeconds < 0 || delaySeconds > 900) {
    throw invalidParameter('DelaySeconds', delaySeconds, 'DelaySeconds must be >= 0 and <= 900.');
  }
}

/** The checks every batch request gets before any entry runs. */
export function validateBatchIds(ids: readonly string[], entryName: string): void {
  if (ids.length === 0) {
    throw sqsError(
      'EmptyBatchRequest',
      `There should be at least one ${entryName} in the request.`,
    );
  }
  if (ids.length > MAX_BATCH_ENTRIES) {
    throw sqsError(
      'TooManyEntriesInBatchRequest',
      `Maximum number of entries per request are ${MAX_BATCH_ENTRIES}. You have sent ${ids.length}.`,
    );
  }
  const seen = new Set<string>();
  for (const id of ids) {
    if (!BATCH_ENTRY_ID.test(id)) {
      throw sqsError(
        'InvalidBatchEntryId',
        'A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long.',
      );
    }
    if (seen.has(id)) {
      throw sqsError('BatchEntryIdsNotDistinct', `Id ${id} repeated.`);
    }
    seen.add(id);
  }
}
