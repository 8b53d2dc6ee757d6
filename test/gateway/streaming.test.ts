/**
 * A RESPONSE_STREAM function URL's response: the HTTP-integration prelude becomes status and
 * headers wherever the chunks split it, the rest is the body, and failures before and after the
 * head are told apart.
 */
import assert from 'node:assert/strict';
import type { Readable } from 'node:stream';
import { test } from 'node:test';
import { HTTP_INTEGRATION_CONTENT_TYPE, UrlResponseStream } from '../../src/gateway/streaming.js';

const NULS = Buffer.alloc(8);

async function readAll(body: Readable): Promise<string> {
  let text = '';
  for await (const chunk of body) {
    text += (chunk as Buffer).toString();
  }
  return text;
}

/** Feeds chunks in order; each is taken before the next is written (as the Runtime API does). */
async function feed(stream: UrlResponseStream, chunks: readonly Buffer[]): Promise<void> {
  for (const chunk of chunks) {
    await new Promise<void>((resolve) => {
      stream.chunk(chunk, resolve);
    });
  }
}

test('a prelude split anywhere, even inside its 8 NUL bytes, becomes status, headers and cookies', async () => {
  const prelude = Buffer.from(
    JSON.stringify({
      statusCode: 201,
      headers: { 'Content-Type': 'text/html', 'X-Count': 3 },
      cookies: ['a=1; Path=/', 'b=2'],
    }),
  );
  const whole = Buffer.concat([prelude, NULS, Buffer.from('<p>hello</p>')]);
  for (const cuts of [[5], [prelude.length + 3], [prelude.length + 8], [1, 2, 3, 40, 41]]) {
    const stream = new UrlResponseStream();
    stream.head({ executedVersion: '$LATEST', contentType: HTTP_INTEGRATION_CONTENT_TYPE });
    const pieces: Buffer[] = [];
    let from = 0;
    for (const cut of [...cuts, whole.length]) {
      pieces.push(whole.subarray(from, cut));
      from = cut;
    }
    const fed = feed(stream, pieces);
    const response = await stream.response;
    assert.ok(response.kind === 'response', `cuts ${cuts.join(',')}`);
    assert.equal(response.statusCode, 201);
    assert.deepEqual(response.headers, {
      'content-type': 'text/html',
      'x-count': '3',
      'set-cookie': ['a=1; Path=/', 'b=2'],
    });
    const text = readAll(response.body);
    await fed;
    stream.complete({});
    assert.equal(await text, '<p>hello</p>');
  }
});

test('the head is known as soon as the prelude is, before the body ends', async () => {
  const stream = new UrlResponseStream();
  stream.head({ executedVersion: '1', contentType: HTTP_INTEGRATION_CONTENT_TYPE });
  await feed(stream, [Buffer.concat([Buffer.from('{"statusCode":202}'), NULS])]);
  const response = await stream.response;
  assert.ok(response.kind === 'response');
  assert.equal(response.statusCode, 202);
  const text = readAll(response.body);
  await feed(stream, [Buffer.from('later')]);
  stream.complete({});
  assert.equal(await text, 'later');
});

test('a plain stream is a 200 with its own content type', async () => {
  const stream = new UrlResponseStream();
  stream.head({ executedVersion: '$LATEST', contentType: 'text/csv' });
  const fed = feed(stream, [Buffer.from('x,y\n'), Buffer.from('1,2\n')]);
  const response = await stream.response;
  assert.ok(response.kind === 'response');
  assert.equal(response.statusCode, 200);
  assert.deepEqual(response.headers, { 'content-type': 'text/csv' });
  const text = readAll(response.body);
  await fed;
  stream.complete({});
  assert.equal(await text, 'x,y\n1,2\n');
});

test('an empty stream, and a prelude with nothing after it, are complete responses', async () => {
  const empty = new UrlResponseStream();
  empty.head({ executedVersion: '$LATEST', contentType: 'application/json' });
  empty.complete({});
  const plain = await empty.response;
  assert.ok(plain.kind === 'response');
  assert.equal(plain.statusCode, 200);
  assert.equal(await readAll(plain.body), '');

  const headOnly = new UrlResponseStream();
  headOnly.head({ executedVersion: '$LATEST', contentType: HTTP_INTEGRATION_CONTENT_TYPE });
  await feed(headOnly, [Buffer.from('{"statusCode":204}')]);
  headOnly.complete({});
  const noBody = await headOnly.response;
  assert.ok(noBody.kind === 'response');
  assert.equal(noBody.statusCode, 204);
});

test('a failure before the head is a function error; after it, the body is cut short', async () => {
  const early = new UrlResponseStream();
  early.head({ executedVersion: '$LATEST', contentType: HTTP_INTEGRATION_CONTENT_TYPE });
  await feed(early, [Buffer.from('{"statusCode":')]);
  early.complete({ errorCode: 'Error', errorDetails: '{}' });
  assert.deepEqual(await early.response, { kind: 'function-error' });

  const unreadable = new UrlResponseStream();
  unreadable.head({ executedVersion: '$LATEST', contentType: HTTP_INTEGRATION_CONTENT_TYPE });
  await feed(unreadable, [Buffer.concat([Buffer.from('not json'), NULS, Buffer.from('body')])]);
  assert.deepEqual(await unreadable.response, { kind: 'function-error' });

  const late = new UrlResponseStream();
  late.head({ executedVersion: '$LATEST', contentType: 'text/plain' });
  const fed = feed(late, [Buffer.from('partial')]);
  const response = await late.response;
  assert.ok(response.kind === 'response');
  const text = readAll(response.body);
  await fed;
  late.complete({ errorCode: 'Sandbox.Timedout', errorDetails: '{}' });
  await assert.rejects(text);
});
