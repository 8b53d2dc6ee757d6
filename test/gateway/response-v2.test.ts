import assert from 'node:assert/strict';
import { test } from 'node:test';
import { responseFromV2 } from '../../src/gateway/response-v2.js';

const map = (result: unknown) => responseFromV2(Buffer.from(JSON.stringify(result)));

test('an object with statusCode gives status, lower-case headers, cookies and body', () => {
  assert.deepEqual(
    map({
      statusCode: 302,
      headers: { Location: '/next', 'X-Retry': 2, 'X-Ok': true },
      cookies: ['a=1', 'b=2; Secure'],
      body: 'moved',
    }),
    {
      statusCode: 302,
      headers: {
        location: '/next',
        'x-retry': '2',
        'x-ok': 'true',
        'content-type': 'application/json',
        'set-cookie': ['a=1', 'b=2; Secure'],
      },
      body: Buffer.from('moved'),
    },
  );
  const binary = map({ statusCode: 200, body: 'AAH/', isBase64Encoded: true });
  assert.deepEqual(binary?.body, Buffer.from([0, 1, 255]));
  const typed = map({ statusCode: 200, headers: { 'Content-Type': 'text/plain' } });
  assert.equal(typed?.headers['content-type'], 'text/plain');
  assert.deepEqual(typed.body, Buffer.alloc(0));
});

test('anything else is a 200 JSON body; a string is sent as is', () => {
  for (const [result, body] of [
    [{ a: 1 }, '{"a":1}'],
    ['hello', 'hello'],
    [42, '42'],
    [null, 'null'],
    [[1, 'x'], '[1,"x"]'],
  ] as const) {
    assert.deepEqual(map(result), {
      statusCode: 200,
      headers: { 'content-type': 'application/json' },
      body: Buffer.from(body),
    });
  }
});

test('a malformed result maps to nothing (the caller answers 502)', () => {
  assert.equal(responseFromV2(Buffer.from('not json')), undefined);
  for (const bad of [
    { statusCode: '200' },
    { statusCode: 200.5 },
    { statusCode: 99 },
    { statusCode: 600 },
    { statusCode: 200, body: 7 },
    { statusCode: 200, headers: ['x'] },
    { statusCode: 200, headers: { a: null } },
    { statusCode: 200, cookies: [1] },
  ]) {
    assert.equal(map(bad), undefined, JSON.stringify(bad));
  }
});
