/**
 * AWS event-stream framing (`application/vnd.amazon.eventstream`), the binary message format of
 * streaming operations such as InvokeWithResponseStream (spec §1.5). One message:
 *
 *   total length (u32 BE) | headers length (u32 BE) | CRC32 of those 8 bytes
 *   headers | payload | CRC32 of everything before it
 *
 * and each header: name length (u8), name, value type (u8, 7 = string), value length (u16 BE),
 * value. Only string headers are needed here.
 * https://docs.aws.amazon.com/AmazonS3/latest/API/RESTSelectObjectAppendix.html
 */
import { crc32 } from 'node:zlib';

export const EVENT_STREAM_CONTENT_TYPE = 'application/vnd.amazon.eventstream';

const STRING_HEADER = 7;
const PRELUDE_BYTES = 12;
const CRC_BYTES = 4;

/** Encodes one message with string headers (in the given order) and a payload. */
export function encodeEventMessage(
  headers: Readonly<Record<string, string>>,
  payload: Uint8Array,
): Buffer {
  const encoded = Object.entries(headers).map(([name, value]) => {
    const nameBytes = Buffer.from(name);
    const valueBytes = Buffer.from(value);
    if (nameBytes.length > 0xff || valueBytes.length > 0xffff) {
      throw new RangeError(`Event-stream header ${name} is too long`);
    }
    const header = Buffer.allocUnsafe(1 + nameBytes.length + 3 + valueBytes.length);
    let at = header.writeUInt8(nameBytes.length, 0);
    at += nameBytes.copy(header, at);
    at = header.writeUInt8(STRING_HEADER, at);
    at = header.writeUInt16BE(valueBytes.length, at);
    valueBytes.copy(header, at);
    return header;
  });
  const headersLength = encoded.reduce((sum, h) => sum + h.length, 0);
  const total = PRELUDE_BYTES + headersLength + payload.length + CRC_BYTES;
  const message = Buffer.allocUnsafe(total);
  message.writeUInt32BE(total, 0);
  message.writeUInt32BE(headersLength, 4);
  message.writeUInt32BE(crc32(message.subarray(0, 8)), 8);
  let at = PRELUDE_BYTES;
  for (const header of encoded) {
    at += header.copy(message, at);
  }
  message.set(payload, at);
  at += payload.length;
  message.writeUInt32BE(crc32(message.subarray(0, at)), at);
  return message;
}

/** An `event` message of the given `:event-type` (how a service streams its members). */
export function encodeEvent(eventType: string, contentType: string, payload: Uint8Array): Buffer {
  return encodeEventMessage(
    { ':event-type': eventType, ':content-type': contentType, ':message-type': 'event' },
    payload,
  );
}
