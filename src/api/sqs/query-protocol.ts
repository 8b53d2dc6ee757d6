import { invalidParameterValue, queryCodeOf } from '../../events/sqs/errors.js';
import type { ServiceError } from '../../core/errors.js';
import type { Member, Shape, StructShape } from './shapes.js';
import { escapeXml } from '../protocol/query-protocol.js';

/**
 * The AWS query protocol as SQS speaks it to older SDKs and the AWS CLI v2: form-encoded
 * parameters in, XML out.
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-making-api-requests-xml.html
 */
const XMLNS = 'http://queue.amazonaws.com/doc/2012-11-05/';

/** Decodes `Attribute.1.Name=…&MessageAttribute.1.Value.DataType=…` into the JSON-shaped input. */
export function decodeQuery(shape: StructShape, params: URLSearchParams): Record<string, unknown> {
  return decodeStruct(shape, params, '');
}

function decodeStruct(
  shape: StructShape,
  params: URLSearchParams,
  prefix: string,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, member] of Object.entries(shape.struct)) {
    const value = decode(member.shape, params, join(prefix, serializedName(key, member)));
    if (value !== undefined) {
      out[key] = value;
    }
  }
  return out;
}

function serializedName(key: string, member: Member): string {
  // A flattened list's elements are named by the list's member name, not the member's.
  return typeof member.shape === 'object' && 'list' in member.shape
    ? member.shape.member
    : (member.name ?? key);
}

function decode(shape: Shape, params: URLSearchParams, path: string): unknown {
  if (typeof shape === 'string') {
    const raw = params.get(path);
    if (raw === null) {
      return undefined;
    }
    if (shape === 'integer') {
      const n = /^-?\d+$/.test(raw.trim()) ? Number(raw) : NaN;
      if (!Number.isSafeInteger(n)) {
        throw invalidParameterValue(`Value ${raw} for parameter ${path} is invalid.`);
      }
      return n;
    }
    return shape === 'boolean' ? raw === 'true' : raw;
  }
  if ('list' in shape) {
    const items: unknown[] = [];
    for (let i = 1; ; i++) {
      const item = decode(shape.list, params, `${path}.${String(i)}`);
      if (item === undefined) {
        return items.length > 0 ? items : undefined;
      }
      items.push(item);
    }
  }
  if ('map' in shape) {
    const entries: Record<string, unknown> = {};
    let found = false;
    for (let i = 1; ; i++) {
      const key = params.get(`${path}.${String(i)}.${shape.key}`);
      if (key === null) {
        return found ? entries : undefined;
      }
      found = true;
      entries[key] = decode(shape.map, params, `${path}.${String(i)}.${shape.value}`);
    }
  }
  const struct = decodeStruct(shape, params, path);
  return Object.keys(struct).length > 0 ? struct : undefined;
}

function join(prefix: string, name: string): string {
  return prefix === '' ? name : `${prefix}.${name}`;
}

/** `<OpResponse><OpResult>…</OpResult><ResponseMetadata>…</ResponseMetadata></OpResponse>` */
export function encodeXmlResponse(
  operation: string,
  shape: StructShape | undefined,
  output: Record<string, unknown>,
  requestId: string,
): string {
  const result = shape
    ? `<${operation}Result>${encodeStruct(shape, output)}</${operation}Result>`
    : '';
  return (
    `<?xml version="1.0"?><${operation}Response xmlns="${XMLNS}">${result}` +
    `<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata>` +
    `</${operation}Response>`
  );
}

function encodeStruct(shape: StructShape, value: Record<string, unknown>): string {
  let xml = '';
  for (const [key, member] of Object.entries(shape.struct)) {
    const memberValue = value[key];
    if (memberValue === undefined || memberValue === null) {
      continue;
    }
    const name = member.name ?? key;
    const memberShape = member.shape;
    if (typeof memberShape === 'object' && 'list' in memberShape) {
      for (const item of memberValue as unknown[]) {
        xml += element(memberShape.member, encodeValue(memberShape.list, item));
      }
    } else if (typeof memberShape === 'object' && 'map' in memberShape) {
      for (const [k, v] of Object.entries(memberValue as Record<string, unknown>)) {
        xml += element(
          name,
          element(memberShape.key, escapeXml(k)) +
            element(memberShape.value, encodeValue(memberShape.map, v)),
        );
      }
    } else {
      xml += element(name, encodeValue(memberShape, memberValue));
    }
  }
  return xml;
}

function encodeValue(shape: Shape, value: unknown): string {
  if (typeof shape === 'object' && 'struct' in shape) {
    return encodeStruct(shape, value as Record<string, unknown>);
  }
  return escapeXml(String(value));
}

function element(name: string, content: string): string {
  return `<${name}>${content}</${name}>`;
}

export function encodeXmlError(error: ServiceError, requestId: string): string {
  return (
    `<?xml version="1.0"?><ErrorResponse xmlns="${XMLNS}"><Error>` +
    `<Type>${error.fault === 'client' ? 'Sender' : 'Receiver'}</Type>` +
    `<Code>${escapeXml(queryCodeOf(error.code))}</Code>` +
    `<Message>${escapeXml(error.message)}</Message><Detail/></Error>` +
    `<RequestId>${requestId}</RequestId></ErrorResponse>`
  );
}
