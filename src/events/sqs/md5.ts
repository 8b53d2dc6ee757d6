import { createHash } from 'node:crypto';
import type { MessageAttributes } from './types.js';

export function md5Hex(data: string | Uint8Array): string {
  return createHash('md5').update(data).digest('hex');
}

/**
 * MD5OfMessageAttributes exactly as SQS computes it: attributes sorted by name, each encoded
 * as length-prefixed (4-byte big-endian) name, length-prefixed data type, one transport byte
 * (1 for String and Number, 2 for Binary), then the length-prefixed value.
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-message-metadata.html#sqs-attributes-md5-message-digest-calculation
 */
export function md5OfMessageAttributes(attributes: MessageAttributes): string {
  const hash = createHash('md5');
  const names = Object.keys(attributes).sort();
  for (const name of names) {
    const value = attributes[name];
    if (!value) {
      continue;
    }
    hash.update(lengthPrefixed(Buffer.from(name, 'utf8')));
    hash.update(lengthPrefixed(Buffer.from(value.dataType, 'utf8')));
    if (value.binaryValue !== undefined) {
      hash.update(Uint8Array.of(2));
      hash.update(lengthPrefixed(value.binaryValue));
    } else {
      hash.update(Uint8Array.of(1));
      hash.update(lengthPrefixed(Buffer.from(value.stringValue ?? '', 'utf8')));
    }
  }
  return hash.digest('hex');
}

function lengthPrefixed(bytes: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(4 + bytes.length);
  out.writeUInt32BE(bytes.length, 0);
  out.set(bytes, 4);
  return out;
}
