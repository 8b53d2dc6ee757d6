import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AlbTargetGroup } from '../../src/gateway/http-api-types.js';
import { httpRequest } from '../helpers/http.js';
import { albs, functionArn, ScriptedInvoker, startGateway } from './harness.js';

const tg = (name: string, fn: string | undefined, multiValueHeaders = false): AlbTargetGroup => ({
  targetGroupArn: `arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/${name}/6d0ecf831eec9f09`,
  name,
  ...(fn !== undefined && { functionArn: functionArn(fn) }),
  multiValueHeaders,
});

const GROUPS = [
  tg('single', 'respond'),
  tg('multi', 'respond', true),
  tg('empty', undefined),
  tg('broken', 'fails'),
];

/** Answers what the request body asks for; with no body, a 200 whose body is the event. */
const FUNCTIONS = {
  respond: (event: Record<string, unknown>) =>
    event.body === ''
      ? { statusCode: 200, body: JSON.stringify(event) }
      : (JSON.parse(String(event.body)) as unknown),
  fails: () => {
    throw new Error('boom');
  },
};

type AlbEvent = Record<string, unknown> & {
  headers?: Record<string, string>;
  multiValueHeaders?: Record<string, string[]>;
};

test('single-value event: last value of repeated query keys and headers, query still encoded', async (t) => {
  const invoker = new ScriptedInvoker(FUNCTIONS);
  const base = await startGateway(t, { invoker, albs: albs(GROUPS) });
  const reply = await httpRequest(`${base}/alb/single/health?name=foo&name=bar&q=a%20b`, {
    headers: { 'x-multi': ['one', 'two'], 'User-Agent': 'ua/1' },
  });
  assert.equal(reply.status, 200);
  const event = reply.json() as AlbEvent;
  assert.deepEqual(event.requestContext, { elb: { targetGroupArn: GROUPS[0]!.targetGroupArn } });
  assert.equal(event.httpMethod, 'GET');
  assert.equal(event.path, '/health');
  assert.deepEqual(event.queryStringParameters, { name: 'bar', q: 'a%20b' });
  const headers = event.headers ?? {};
  assert.equal(headers['x-multi'], 'two');
  assert.equal(headers['user-agent'], 'ua/1');
  assert.equal(headers['x-forwarded-for'], '127.0.0.1');
  assert.equal(headers['x-forwarded-proto'], 'http');
  assert.match(headers['x-amzn-trace-id'] ?? '', /^Root=1-/);
  assert.equal('multiValueHeaders' in event, false);
  assert.equal(event.body, '');
  assert.equal(event.isBase64Encoded, false);
});

test('multi-value event: every value of repeated query keys and headers', async (t) => {
  const invoker = new ScriptedInvoker(FUNCTIONS);
  const base = await startGateway(t, { invoker, albs: albs(GROUPS) });
  const reply = await httpRequest(`${base}/alb/multi/?name=foo&name=bar`, {
    headers: { 'x-multi': ['one', 'two'] },
  });
  const event = reply.json() as AlbEvent;
  assert.deepEqual(event.multiValueQueryStringParameters, { name: ['foo', 'bar'] });
  assert.deepEqual(event.multiValueHeaders?.['x-multi'], ['one', 'two']);
  assert.equal('headers' in event, false);
  assert.equal('queryStringParameters' in event, false);
  assert.equal(event.path, '/');
});

test('the response: statusDescription as the reason phrase, headers or multiValueHeaders, base64 body', async (t) => {
  const invoker = new ScriptedInvoker(FUNCTIONS);
  const base = await startGateway(t, { invoker, albs: albs(GROUPS) });
  const ask = (group: string, result: unknown) =>
    httpRequest(`${base}/alb/${group}/x`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(result),
    });
  const single = await ask('single', {
    statusCode: 201,
    statusDescription: '201 Created',
    headers: { 'Content-Type': 'text/plain', 'X-A': 'b' },
    body: 'made',
  });
  assert.equal(single.status, 201);
  assert.equal(single.statusMessage, 'Created');
  assert.equal(single.headers['content-type'], 'text/plain');
  assert.equal(single.headers['x-a'], 'b');
  assert.equal(single.text, 'made');

  const multi = await ask('multi', {
    statusCode: 200,
    statusDescription: '200 OK',
    multiValueHeaders: {
      'Set-Cookie': ['a=1', 'b=2'],
      'content-type': ['application/octet-stream'],
    },
    body: Buffer.from([1, 2, 3]).toString('base64'),
    isBase64Encoded: true,
  });
  assert.equal(multi.status, 200);
  assert.equal(multi.statusMessage, 'OK');
  assert.deepEqual(multi.headers['set-cookie'], ['a=1', 'b=2']);
  assert.deepEqual(multi.body, Buffer.from([1, 2, 3]));

  const echoed = invoker.events.at(-1)!;
  assert.equal(echoed.isBase64Encoded, false);
  assert.equal(typeof echoed.body, 'string');
});

test('502 for function errors and malformed results; 404 and 503 without a target; 413 over 1 MB', async (t) => {
  const invoker = new ScriptedInvoker(FUNCTIONS);
  const base = await startGateway(t, { invoker, albs: albs(GROUPS) });
  const broken = await httpRequest(`${base}/alb/broken/`);
  assert.equal(broken.status, 502);
  assert.equal(broken.headers['content-type'], 'text/html');
  assert.match(broken.text, /<h1>502 Bad Gateway<\/h1>/);
  const malformed = await httpRequest(`${base}/alb/single/`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ body: 'no status code' }),
  });
  assert.equal(malformed.status, 502);
  const calls = invoker.calls.length;
  assert.equal((await httpRequest(`${base}/alb/nope/`)).status, 404);
  assert.equal((await httpRequest(`${base}/alb/empty/`)).status, 503);
  const big = await httpRequest(`${base}/alb/single/`, {
    method: 'POST',
    body: Buffer.alloc(1_048_577),
  });
  assert.equal(big.status, 413);
  assert.equal(invoker.calls.length, calls);
});
