/**
 * The event-stream encoder, checked against an independent decoder: the Smithy codec the AWS SDK
 * itself uses to read InvokeWithResponseStream (with its own CRC32).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EventStreamCodec, getChunkedStream, type Message } from '@smithy/core/event-streams';
import { encodeEvent, encodeEventMessage } from '../../src/api/protocol/event-stream.js';

const codec = new EventStreamCodec(
  (bytes) => Buffer.from(bytes).toString('utf8'),
  (text) => Buffer.from(text, 'utf8'),
);

const stringHeaders = (message: Message): Record<string, string> =>
  Object.fromEntries(
    Object.entries(message.headers).map(([name, header]) => {
      assert.equal(header.type, 'string', name);
      return [name, header.value];
    }),
  );

test('an empty message is the 16 bytes of the format specification', () => {
  assert.equal(
    encodeEventMessage({}, new Uint8Array()).toString('hex'),
    '000000100000000005c248eb7d98c8ff',
  );
});

test('a PayloadChunk decodes to its headers and raw payload', () => {
  const payload = Buffer.from([0, 1, 2, 0xff, 0xfe, 0x0a]);
  const message = codec.decode(encodeEvent('PayloadChunk', 'application/octet-stream', payload));
  assert.deepEqual(stringHeaders(message), {
    ':event-type': 'PayloadChunk',
    ':content-type': 'application/octet-stream',
    ':message-type': 'event',
  });
  assert.deepEqual(Buffer.from(message.body), payload);
});

test('non-ASCII header values and a payload of several MiB survive the round trip', () => {
  const payload = Buffer.alloc(3 * 1024 * 1024 + 7, 0x5a);
  const message = codec.decode(encodeEventMessage({ ':error-message': 'café ☕', x: '' }, payload));
  assert.deepEqual(stringHeaders(message), { ':error-message': 'café ☕', x: '' });
  assert.equal(Buffer.compare(Buffer.from(message.body), payload), 0);
});

test('messages written back to back come apart in order', async () => {
  const stream = Buffer.concat([
    encodeEvent('PayloadChunk', 'application/octet-stream', Buffer.from('a')),
    encodeEvent('PayloadChunk', 'application/octet-stream', Buffer.from('b')),
    encodeEvent('InvokeComplete', 'application/json', Buffer.from('{}')),
  ]);
  // In uneven pieces, as a socket delivers them, split the way the SDK splits a response.
  async function* pieces(): AsyncGenerator<Uint8Array> {
    for (let at = 0; at < stream.length; at += 7) {
      yield await Promise.resolve(stream.subarray(at, at + 7));
    }
  }
  const decoded: [string | undefined, string][] = [];
  for await (const whole of getChunkedStream(pieces())) {
    const message = codec.decode(whole);
    decoded.push([stringHeaders(message)[':event-type'], Buffer.from(message.body).toString()]);
  }
  assert.deepEqual(decoded, [
    ['PayloadChunk', 'a'],
    ['PayloadChunk', 'b'],
    ['InvokeComplete', '{}'],
  ]);
});

test('the checksums cover what they should: a flipped bit anywhere is refused', () => {
  const message = encodeEvent('PayloadChunk', 'application/octet-stream', Buffer.from('data'));
  // In the prelude (total length), in a header, in the payload.
  for (const at of [3, 20, message.length - 6]) {
    const corrupt = Buffer.from(message);
    corrupt[at] = (corrupt[at] ?? 0) ^ 0x01;
    assert.throws(() => codec.decode(corrupt), /checksum|length/i, `byte ${at}`);
  }
});

test('a header longer than the format allows is refused', () => {
  assert.throws(() => encodeEventMessage({ ['n'.repeat(256)]: 'v' }, new Uint8Array()), RangeError);
  assert.throws(() => encodeEventMessage({ n: 'v'.repeat(65_536) }, new Uint8Array()), RangeError);
});
