/**
 * Publish's input rules: message, subject, MessageStructure and message attributes, with the
 * error codes and texts SNS answers (recorded from AWS).
 * https://docs.aws.amazon.com/sns/latest/api/API_Publish.html
 * https://docs.aws.amazon.com/sns/latest/dg/sns-message-attributes.html
 */
import { invalidParameter, invalidParameterValue, missingMember } from './errors.js';
import type { SnsMessageAttribute, SnsMessageAttributes } from './types.js';

/** Message plus attributes (names, types and values), 256 KiB. */
export const MAX_MESSAGE_BYTES = 262_144;
const MAX_SUBJECT_LENGTH = 100;
const MAX_ATTRIBUTE_NAME_BYTES = 256;
const NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/** A validated message, ready to fan out. */
export interface Publication {
  readonly message: string;
  readonly subject?: string;
  /** With MessageStructure `json`: the message per protocol, `default` included. */
  readonly perProtocol?: Readonly<Record<string, string>>;
  readonly attributes: SnsMessageAttributes;
}

export interface PublicationInput {
  readonly message?: string | undefined;
  readonly subject?: string | undefined;
  readonly messageStructure?: string | undefined;
  readonly messageAttributes?: SnsMessageAttributes | undefined;
}

/**
 * Validates one message. `member` names the attribute map in ValidationError texts
 * (`messageAttributes`, or `publishBatchRequestEntries.1.member.messageAttributes`).
 */
export function validatePublication(
  input: PublicationInput,
  member = 'messageAttributes',
): Publication {
  const attributes = validateMessageAttributes(input.messageAttributes ?? {}, member);
  const message = input.message;
  if (message === undefined || message === '') {
    throw invalidParameter('Empty message');
  }
  if (input.subject !== undefined) {
    checkSubject(input.subject);
  }
  if (publicationSize(message, attributes) > MAX_MESSAGE_BYTES) {
    throw invalidParameter('Message too long');
  }
  const perProtocol =
    input.messageStructure === undefined
      ? undefined
      : parseStructure(input.messageStructure, message);
  return {
    message,
    attributes,
    ...(input.subject !== undefined && { subject: input.subject }),
    ...(perProtocol !== undefined && { perProtocol }),
  };
}

/** The message a subscription of this protocol receives. */
export function messageFor(publication: Publication, protocol: string): string {
  const { perProtocol } = publication;
  if (perProtocol === undefined) {
    return publication.message;
  }
  return perProtocol[protocol] ?? perProtocol.default ?? publication.message;
}

/** Subjects: text up to 100 characters with no line breaks or other control characters. */
function checkSubject(subject: string): void {
  let hasControl = false;
  for (let i = 0; i < subject.length; i++) {
    const code = subject.charCodeAt(i);
    hasControl ||= code < 0x20 || code === 0x7f;
  }
  if (subject === '' || subject.length > MAX_SUBJECT_LENGTH || hasControl) {
    throw invalidParameter('Subject');
  }
}

/** `{"default": "…", "sqs": "…", "lambda": "…"}`: string values only count. */
function parseStructure(structure: string, message: string): Record<string, string> {
  if (structure !== 'json') {
    throw invalidParameter('MessageStructure');
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(message);
  } catch {
    throw invalidParameter('Message Structure - JSON message body failed to parse');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw invalidParameter('Message Structure - JSON message body failed to parse');
  }
  const perProtocol: Record<string, string> = {};
  for (const [protocol, value] of Object.entries(parsed)) {
    if (typeof value === 'string') {
      perProtocol[protocol] = value;
    }
  }
  if (perProtocol.default === undefined) {
    throw invalidParameter('Message Structure - No default entry in JSON message body');
  }
  return perProtocol;
}

/** Bytes a message and its attributes count against the 256 KiB limit. */
export function publicationSize(message: string, attributes: SnsMessageAttributes): number {
  return Buffer.byteLength(message) + attributesSize(attributes);
}

function attributesSize(attributes: SnsMessageAttributes): number {
  let size = 0;
  for (const [name, a] of Object.entries(attributes)) {
    size += Buffer.byteLength(name) + Buffer.byteLength(a.DataType);
    size += a.BinaryValue ? a.BinaryValue.byteLength : Buffer.byteLength(a.StringValue ?? '');
  }
  return size;
}

/** Validates attributes; returns them with only the value field their type uses. */
export function validateMessageAttributes(
  attributes: SnsMessageAttributes,
  member = 'messageAttributes',
): Record<string, SnsMessageAttribute> {
  const valid: Record<string, SnsMessageAttribute> = {};
  for (const [name, attribute] of Object.entries(attributes)) {
    checkAttributeName(name);
    valid[name] = checkAttributeValue(name, attribute, member);
  }
  return valid;
}

function checkAttributeName(name: string): void {
  if (Buffer.byteLength(name) >= MAX_ATTRIBUTE_NAME_BYTES) {
    throw invalidParameterValue('Length of message attribute name must be less than 256 bytes.');
  }
  const bad = /[^A-Za-z0-9_.-]/.exec(name);
  if (bad) {
    const code = bad[0].codePointAt(0) ?? 0;
    throw invalidParameterValue(
      `Invalid non-alphanumeric character '#x${code.toString(16).toUpperCase()}' was found in the message attribute name. Can only include alphanumeric characters, hyphens, underscores, or dots.`,
    );
  }
  if (name.startsWith('.')) {
    throw invalidParameterValue(
      "Invalid message attribute name starting with character '.' was found.",
    );
  }
  if (name.endsWith('.')) {
    throw invalidParameterValue(
      "Invalid message attribute name ending with character '.' was found.",
    );
  }
  if (name.includes('..')) {
    throw invalidParameterValue("Message attribute name can not have successive '.' character.");
  }
  if (/^(aws|amazon)\./i.test(name)) {
    throw invalidParameterValue(
      `The message attribute name '${name}' is reserved: names may not start with 'AWS.' or 'Amazon.'.`,
    );
  }
}

function checkAttributeValue(
  name: string,
  attribute: SnsMessageAttribute,
  member: string,
): SnsMessageAttribute {
  const type = attribute.DataType;
  if (type === '') {
    throw missingMember(`${member}.${name}.member.dataType`);
  }
  const base = type.split('.')[0];
  if (base !== 'String' && base !== 'Number' && base !== 'Binary') {
    throw invalidParameterValue(
      `The message attribute '${name}' has an invalid message attribute type, the set of supported type prefixes is Binary, Number, and String.`,
    );
  }
  if (base === 'Binary') {
    if (attribute.BinaryValue === undefined && attribute.StringValue !== undefined) {
      throw invalidParameterValue(
        `The message attribute '${name}' with type 'Binary' must use field 'Binary'.`,
      );
    }
    if (attribute.BinaryValue === undefined || attribute.BinaryValue.byteLength === 0) {
      throw emptyValue(name, 'Binary');
    }
    return { DataType: type, BinaryValue: attribute.BinaryValue };
  }
  const text = attribute.StringValue;
  if (text === undefined && attribute.BinaryValue !== undefined) {
    throw invalidParameterValue(
      `The message attribute '${name}' with type '${base}' must use field 'String'.`,
    );
  }
  if (text === undefined || text === '') {
    throw emptyValue(name, base);
  }
  if (type === 'String.Array' && !isJsonArrayOfLeaves(text)) {
    throw invalidParameterValue(
      `The message attribute '${name}' with type 'String.Array' must be a JSON array of strings, numbers, booleans or nulls.`,
    );
  }
  if (base === 'Number' && !NUMBER.test(text.trim())) {
    throw invalidParameterValue(`Could not cast message attribute '${name}' value to number.`);
  }
  return { DataType: type, StringValue: text };
}

function emptyValue(name: string, type: string): Error {
  return invalidParameterValue(
    `The message attribute '${name}' must contain non-empty message attribute value for message attribute type '${type}'.`,
  );
}

function isJsonArrayOfLeaves(text: string): boolean {
  try {
    const value: unknown = JSON.parse(text);
    return (
      Array.isArray(value) &&
      value.every((v) => v === null || ['string', 'number', 'boolean'].includes(typeof v))
    );
  } catch {
    return false;
  }
}
