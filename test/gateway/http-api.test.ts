import assert from 'node:assert/strict';
import { test } from 'node:test';
import { tooManyRequests } from '../../src/core/errors.js';
import type { HttpApiRoute, HttpApiStage } from '../../src/gateway/http-api-types.js';
import { httpRequest } from '../helpers/http.js';
import { CTX, functionArn, httpApis, ScriptedInvoker, startGateway } from './harness.js';

const route = (
  routeKey: string,
  fn: string,
  payloadFormatVersion: '1.0' | '2.0' = '2.0',
  timeoutMs = 30_000,
): HttpApiRoute => ({
  routeId: `r-${routeKey}`,
  routeKey,
  integration: {
    integrationId: `i-${fn}`,
    functionArn: functionArn(fn),
    payloadFormatVersion,
    timeoutMs,
  },
});

const STAGES: HttpApiStage[] = [
  {
    apiId: 'abc123',
    stageName: '$default',
    stageVariables: {},
    routes: [
      route('GET /items/{id}', 'echo'),
      route('ANY /{proxy+}', 'echo'),
      route('GET /v1/items/{id}', 'echo', '1.0'),
      route('GET /fails', 'fails'),
      route('GET /malformed', 'malformed'),
      route('GET /slow', 'slow', '2.0', 50),
      route('GET /busy', 'busy'),
      route('GET /v1/result', 'v1result', '1.0'),
      route('GET /framing', 'framing'),
    ],
  },
  {
    apiId: 'abc123',
    stageName: 'prod',
    stageVariables: { table: 'orders' },
    routes: [route('POST /items/{id}', 'echo')],
  },
];

const FUNCTIONS = {
  echo: (event: Record<string, unknown>) => ({
    statusCode: 200,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(event),
  }),
  fails: () => {
    throw new Error('boom');
  },
  malformed: () => ({ statusCode: 'teapot' }),
  slow: () => new Promise(() => undefined),
  busy: () => {
    throw tooManyRequests('ReservedFunctionConcurrentInvocationLimitExceeded', 1);
  },
  framing: () => ({
    statusCode: 200,
    headers: { 'Transfer-Encoding': 'chunked', 'Content-Length': '999', Connection: 'close' },
    body: 'short',
  }),
  v1result: () => ({
    statusCode: 201,
    headers: { 'x-single': 'a' },
    multiValueHeaders: { 'set-cookie': ['a=1', 'b=2'], 'x-single': ['b'] },
    body: 'made',
  }),
};

test('an HTTP API route gets the 2.0 event with its route key and path parameters', async (t) => {
  const invoker = new ScriptedInvoker(FUNCTIONS);
  const base = await startGateway(t, { invoker, httpApis: httpApis({ abc123: STAGES }) });
  const port = new URL(base).port;
  const reply = await httpRequest(
    `http://abc123.execute-api.us-east-1.localhost:${port}/items/42?x=1&x=2`,
  );
  assert.equal(reply.status, 200);
  assert.match(String(reply.headers['apigw-requestid']), /^[A-Za-z0-9+/]{15}=$/);
  const event = reply.json() as Record<string, unknown> & {
    requestContext: Record<string, unknown>;
  };
  assert.equal(event.version, '2.0');
  assert.equal(event.routeKey, 'GET /items/{id}');
  assert.equal(event.rawPath, '/items/42');
  assert.deepEqual(event.pathParameters, { id: '42' });
  assert.equal('stageVariables' in event, false);
  assert.deepEqual(event.queryStringParameters, { x: '1,2' });
  assert.equal(event.requestContext.routeKey, 'GET /items/{id}');
  assert.equal(event.requestContext.stage, '$default');
  assert.equal(event.requestContext.apiId, 'abc123');
  assert.equal(event.requestContext.accountId, CTX.accountId);
  assert.equal(event.requestContext.domainName, 'abc123.execute-api.us-east-1.localhost');
  assert.equal(event.requestContext.requestId, reply.headers['apigw-requestid']);
  assert.equal(invoker.calls.at(-1)?.functionName, functionArn('echo'));

  const greedy = (await httpRequest(`${base}/execute-api/abc123/a/b`)).json() as {
    routeKey: string;
    pathParameters: unknown;
  };
  assert.equal(greedy.routeKey, 'ANY /{proxy+}');
  assert.deepEqual(greedy.pathParameters, { proxy: 'a/b' });
});

test('a named stage is the first path segment, with its stage variables', async (t) => {
  const invoker = new ScriptedInvoker(FUNCTIONS);
  const base = await startGateway(t, { invoker, httpApis: httpApis({ abc123: STAGES }) });
  const reply = await httpRequest(`${base}/execute-api/abc123/prod/items/7`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{"qty":1}',
  });
  assert.equal(reply.status, 200);
  const event = reply.json() as Record<string, unknown> & {
    requestContext: Record<string, unknown>;
  };
  assert.equal(event.routeKey, 'POST /items/{id}');
  assert.equal(event.rawPath, '/prod/items/7');
  assert.deepEqual(event.stageVariables, { table: 'orders' });
  assert.deepEqual(event.pathParameters, { id: '7' });
  assert.equal(event.body, '{"qty":1}');
  assert.equal(event.requestContext.stage, 'prod');
  // A stage's routes are its own: GET on the prod stage matches nothing there.
  const missing = await httpRequest(`${base}/execute-api/abc123/prod/items/7`);
  assert.equal(missing.status, 404);
  assert.equal(missing.text, '{"message":"Not Found"}');
});

test('unknown APIs and unmatched routes answer 404 {"message":"Not Found"} without invoking', async (t) => {
  const invoker = new ScriptedInvoker(FUNCTIONS);
  const base = await startGateway(t, {
    invoker,
    httpApis: httpApis({ abc123: STAGES, only: [{ ...STAGES[1]!, apiId: 'only' }] }),
  });
  for (const path of ['/execute-api/nope/items/1', '/execute-api/only/items/1']) {
    const reply = await httpRequest(`${base}${path}`);
    assert.equal(reply.status, 404, path);
    assert.equal(reply.text, '{"message":"Not Found"}');
  }
  assert.equal(invoker.calls.length, 0);
  // Requests not addressed to a trigger still reach the Lambda API.
  assert.equal((await httpRequest(`${base}/2015-03-31/functions`)).status, 418);
});

test('payload format 1.0: the event and the response mapping with multiValueHeaders', async (t) => {
  const invoker = new ScriptedInvoker(FUNCTIONS);
  const base = await startGateway(t, { invoker, httpApis: httpApis({ abc123: STAGES }) });
  const reply = await httpRequest(`${base}/execute-api/abc123/v1/items/9?a=1&a=2`, {
    headers: { 'x-multi': ['one', 'two'], 'user-agent': 'ua/1' },
  });
  assert.equal(reply.status, 200);
  const event = reply.json() as Record<string, unknown> & {
    requestContext: Record<string, unknown> & { identity: Record<string, unknown> };
    headers: Record<string, string>;
    multiValueHeaders: Record<string, string[]>;
  };
  assert.equal(event.version, '1.0');
  assert.equal(event.resource, '/v1/items/{id}');
  assert.equal(event.path, '/v1/items/9');
  assert.equal(event.httpMethod, 'GET');
  assert.equal(event.headers['x-multi'], 'two');
  assert.deepEqual(event.multiValueHeaders['x-multi'], ['one', 'two']);
  assert.deepEqual(event.queryStringParameters, { a: '2' });
  assert.deepEqual(event.multiValueQueryStringParameters, { a: ['1', '2'] });
  assert.deepEqual(event.pathParameters, { id: '9' });
  assert.equal(event.stageVariables, null);
  assert.equal(event.body, null);
  assert.equal(event.isBase64Encoded, false);
  assert.equal(event.requestContext.resourcePath, '/v1/items/{id}');
  assert.equal(event.requestContext.resourceId, 'GET /v1/items/{id}');
  assert.equal(event.requestContext.httpMethod, 'GET');
  assert.equal(event.requestContext.stage, '$default');
  assert.equal(event.requestContext.identity.sourceIp, '127.0.0.1');
  assert.equal(event.requestContext.identity.userAgent, 'ua/1');
  assert.equal(event.requestContext.identity.caller, null);
  assert.match(
    String(event.requestContext.requestTime),
    /^\d\d\/\w{3}\/\d{4}:\d\d:\d\d:\d\d \+0000$/,
  );

  const mapped = await httpRequest(`${base}/execute-api/abc123/v1/result`);
  assert.equal(mapped.status, 201);
  assert.equal(mapped.text, 'made');
  assert.deepEqual(mapped.headers['set-cookie'], ['a=1', 'b=2']);
  assert.equal(mapped.headers['x-single'], 'a, b');
});

test('function errors, malformed results, timeouts and throttles', async (t) => {
  const invoker = new ScriptedInvoker(FUNCTIONS);
  const base = await startGateway(t, { invoker, httpApis: httpApis({ abc123: STAGES }) });
  for (const path of ['/fails', '/malformed']) {
    const reply = await httpRequest(`${base}/execute-api/abc123${path}`);
    assert.equal(reply.status, 500, path);
    assert.equal(reply.text, '{"message":"Internal Server Error"}');
    assert.ok(reply.headers['apigw-requestid']);
  }
  const slow = await httpRequest(`${base}/execute-api/abc123/slow`);
  assert.equal(slow.status, 503);
  assert.equal(slow.text, '{"message":"Service Unavailable"}');
  const busy = await httpRequest(`${base}/execute-api/abc123/busy`);
  assert.equal(busy.status, 429);
  assert.equal(busy.text, '{"message":"Too Many Requests"}');
});

test('the server frames the response itself, whatever framing headers the function set', async (t) => {
  const invoker = new ScriptedInvoker(FUNCTIONS);
  const base = await startGateway(t, { invoker, httpApis: httpApis({ abc123: STAGES }) });
  const reply = await httpRequest(`${base}/execute-api/abc123/framing`);
  assert.equal(reply.status, 200);
  assert.equal(reply.text, 'short');
  assert.equal(reply.headers['content-length'], '5');
  assert.equal(reply.headers['transfer-encoding'], undefined);
  // The connection stays usable: a second request on the keep-alive agent gets its own answer.
  assert.equal((await httpRequest(`${base}/execute-api/abc123/framing`)).text, 'short');
});
