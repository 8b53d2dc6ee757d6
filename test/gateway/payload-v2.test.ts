import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isTextContentType } from '../../src/gateway/body-encoding.js';
import type { HttpRequest } from '../../src/gateway/http-request.js';
import { payloadV2Event } from '../../src/gateway/payload-v2.js';
import { requestTime } from '../../src/gateway/request-time.js';

const RECEIVED = Date.UTC(2025, 4, 1, 10, 0, 0);

function request(overrides: Partial<HttpRequest> = {}): HttpRequest {
  return {
    method: 'POST',
    rawPath: '/prod/items/42',
    rawQueryString: 'a=1&a=2&b=x+y&c=%2F',
    headers: [
      ['host', 'abc123.execute-api.us-east-1.localhost:4566'],
      ['content-type', 'application/json'],
      ['cookie', 'session=abc; theme=dark'],
      ['accept', 'text/html'],
      ['accept', 'application/json'],
      ['x-amzn-trace-id', 'Root=1-00000000-000000000000000000000000'],
    ],
    body: Buffer.from('{"qty":2}'),
    sourceIp: '203.0.113.9',
    protocol: 'HTTP/1.1',
    port: 4566,
    hostname: 'abc123.execute-api.us-east-1.localhost',
    receivedAt: RECEIVED,
    ...overrides,
  };
}

test('an HTTP API route gets the 2.0 event with its route key, path parameters and stage variables', () => {
  const event = payloadV2Event(request(), {
    routeKey: 'POST /items/{id}',
    apiId: 'abc123',
    stage: 'prod',
    domainName: 'abc123.execute-api.us-east-1.localhost',
    domainPrefix: 'abc123',
    pathParameters: { id: '42' },
    stageVariables: { table: 'orders' },
    accountId: '000000000000',
    requestId: 'req-1',
  });
  assert.deepEqual(event, {
    version: '2.0',
    routeKey: 'POST /items/{id}',
    rawPath: '/prod/items/42',
    rawQueryString: 'a=1&a=2&b=x+y&c=%2F',
    cookies: ['session=abc', 'theme=dark'],
    headers: {
      host: 'abc123.execute-api.us-east-1.localhost:4566',
      'content-type': 'application/json',
      accept: 'text/html,application/json',
      'x-amzn-trace-id': 'Root=1-00000000-000000000000000000000000',
      'x-forwarded-for': '203.0.113.9',
      'x-forwarded-proto': 'http',
      'x-forwarded-port': '4566',
    },
    queryStringParameters: { a: '1,2', b: 'x y', c: '/' },
    pathParameters: { id: '42' },
    stageVariables: { table: 'orders' },
    requestContext: {
      accountId: '000000000000',
      apiId: 'abc123',
      domainName: 'abc123.execute-api.us-east-1.localhost',
      domainPrefix: 'abc123',
      http: {
        method: 'POST',
        path: '/prod/items/42',
        protocol: 'HTTP/1.1',
        sourceIp: '203.0.113.9',
        userAgent: '',
      },
      requestId: 'req-1',
      routeKey: 'POST /items/{id}',
      stage: 'prod',
      time: '01/May/2025:10:00:00 +0000',
      timeEpoch: RECEIVED,
    },
    body: '{"qty":2}',
    isBase64Encoded: false,
  });
});

test('an empty body is absent; a binary one is base64', () => {
  const base = {
    routeKey: '$default',
    apiId: 'id',
    stage: '$default',
    domainName: 'd',
    domainPrefix: 'id',
    accountId: 'anonymous',
    requestId: 'r',
  };
  const empty = payloadV2Event(request({ body: Buffer.alloc(0) }), base);
  assert.equal('body' in empty, false);
  assert.equal(empty.isBase64Encoded, false);
  const binary = payloadV2Event(
    request({ headers: [['content-type', 'image/png']], body: Buffer.from([0, 255]) }),
    base,
  );
  assert.equal(binary.body, 'AP8=');
  assert.equal(binary.isBase64Encoded, true);
  assert.equal('cookies' in binary, false);
  const untyped = payloadV2Event(request({ headers: [], body: Buffer.from('hi') }), base);
  assert.equal(untyped.isBase64Encoded, true);
});

test('text content types are the ones AWS passes as text', () => {
  for (const type of [
    'text/plain',
    'text/html; charset=utf-8',
    'application/json',
    'application/vnd.api+json',
    'application/xml',
    'image/svg+xml',
    'application/javascript',
    'application/x-www-form-urlencoded',
    'APPLICATION/JSON',
  ]) {
    assert.equal(isTextContentType(type), true, type);
  }
  for (const type of [
    undefined,
    'application/octet-stream',
    'image/png',
    'multipart/form-data; boundary=x',
    'application/pdf',
    'json',
  ]) {
    assert.equal(isTextContentType(type), false, String(type));
  }
});

test('requestTime is dd/Mon/yyyy:HH:mm:ss +0000 in UTC', () => {
  assert.equal(requestTime(Date.UTC(2026, 10, 2, 3, 4, 5)), '02/Nov/2026:03:04:05 +0000');
  assert.equal(requestTime(Date.UTC(2024, 0, 31, 23, 59, 59)), '31/Jan/2024:23:59:59 +0000');
});
