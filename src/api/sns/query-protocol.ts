/**
 * SNS's wire format, the AWS query protocol: form-encoded parameters in (lists as
 * `Name.member.N`, maps as `Name.entry.N.key` / `.value`), XML out, and `<ErrorResponse>` for
 * errors. Both `@aws-sdk/client-sns` (AwsQueryProtocol) and the AWS CLI v2 send this form.
 * https://docs.aws.amazon.com/sns/latest/api/Query_Requests.html
 */
import type { ServiceError } from '../../core/errors.js';
import { queryCodeOf } from '../../events/sns/errors.js';
import type { PublishBatchEntry, SnsMessageAttribute, Tag } from '../../events/sns/types.js';
import {
  element,
  indices,
  memberListXml,
  queryErrorXml,
  queryResponseXml,
} from '../protocol/query-protocol.js';

export { element, memberListXml };

export const SNS_XMLNS = 'http://sns.amazonaws.com/doc/2010-03-31/';
export const SNS_API_VERSION = '2010-03-31';

/** A string parameter, or undefined when absent. */
export function text(params: URLSearchParams, name: string): string | undefined {
  return params.get(name) ?? undefined;
}

/** `Attributes.entry.N.key` / `Attributes.entry.N.value` → `{key: value}`. */
export function readStringMap(params: URLSearchParams, prefix: string): Record<string, string> {
  const map: Record<string, string> = {};
  for (const n of indices(params, `${prefix}.entry`)) {
    const key = params.get(`${prefix}.entry.${String(n)}.key`);
    if (key !== null) {
      map[key] = params.get(`${prefix}.entry.${String(n)}.value`) ?? '';
    }
  }
  return map;
}

/** `Tags.member.N.Key` / `Tags.member.N.Value`. */
export function readTags(params: URLSearchParams, prefix: string): Tag[] {
  return indices(params, `${prefix}.member`).map((n) => ({
    Key: params.get(`${prefix}.member.${String(n)}.Key`) ?? '',
    Value: params.get(`${prefix}.member.${String(n)}.Value`) ?? '',
  }));
}

/**
 * `MessageAttributes.entry.N.Name` with `.Value.DataType`, `.Value.StringValue` and
 * `.Value.BinaryValue` (base64).
 */
export function readMessageAttributes(
  params: URLSearchParams,
  prefix: string,
): Record<string, SnsMessageAttribute> {
  const attributes: Record<string, SnsMessageAttribute> = {};
  for (const n of indices(params, `${prefix}.entry`)) {
    const at = `${prefix}.entry.${String(n)}`;
    const name = params.get(`${at}.Name`);
    if (name === null) {
      continue;
    }
    const stringValue = params.get(`${at}.Value.StringValue`);
    const binaryValue = params.get(`${at}.Value.BinaryValue`);
    attributes[name] = {
      // An empty DataType reads as a missing one (a ValidationError), as SNS answers it.
      DataType: params.get(`${at}.Value.DataType`) ?? '',
      ...(stringValue !== null && { StringValue: stringValue }),
      ...(binaryValue !== null && { BinaryValue: Buffer.from(binaryValue, 'base64') }),
    };
  }
  return attributes;
}

/** `PublishBatchRequestEntries.member.N.*`. */
export function readBatchEntries(params: URLSearchParams): PublishBatchEntry[] {
  const prefix = 'PublishBatchRequestEntries.member';
  return indices(params, prefix).map((n) => {
    const at = `${prefix}.${String(n)}`;
    const get = (name: string): Record<string, string> => {
      const value = params.get(`${at}.${name}`);
      return value === null ? {} : { [name.charAt(0).toLowerCase() + name.slice(1)]: value };
    };
    return {
      ...get('Id'),
      ...get('Message'),
      ...get('Subject'),
      ...get('MessageStructure'),
      ...get('MessageDeduplicationId'),
      ...get('MessageGroupId'),
      messageAttributes: readMessageAttributes(params, `${at}.MessageAttributes`),
    };
  });
}

/** `<Name><entry><key>…</key><value>…</value></entry>…</Name>`. */
export function stringMapXml(name: string, map: Readonly<Record<string, string>>): string {
  const entries = Object.entries(map)
    .map(([k, v]) => `<entry>${element('key', k)}${element('value', v)}</entry>`)
    .join('');
  return `<${name}>${entries}</${name}>`;
}

/** `<ActionResponse><ActionResult>…</ActionResult><ResponseMetadata>…</ResponseMetadata>`. */
export function responseXml(action: string, result: string | undefined, requestId: string): string {
  return queryResponseXml(SNS_XMLNS, action, result, requestId);
}

export function errorXml(error: ServiceError, requestId: string): string {
  return queryErrorXml(
    SNS_XMLNS,
    { code: queryCodeOf(error.code), message: error.message, fault: error.fault },
    requestId,
  );
}
