import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { HttpApiRoute } from '../../src/gateway/http-api-types.js';
import { matchRoute } from '../../src/gateway/route-match.js';

const route = (routeKey: string): HttpApiRoute => ({
  routeId: routeKey,
  routeKey,
  integration: {
    integrationId: 'i',
    functionArn: 'arn:aws:lambda:us-east-1:123456789012:function:f',
    payloadFormatVersion: '2.0',
    timeoutMs: 30_000,
  },
});

const ROUTES = [
  route('$default'),
  route('ANY /{proxy+}'),
  route('GET /items/{id}'),
  route('GET /items/special'),
  route('ANY /items/{id}'),
  route('GET /items/{id}/parts/{part}'),
  route('ANY /items/{rest+}'),
  route('POST /items'),
];

const pick = (method: string, path: string, routes = ROUTES) => {
  const m = matchRoute(routes, method, path);
  return m === undefined ? undefined : { key: m.route.routeKey, params: m.pathParameters };
};

test('the most specific route wins: literal, then {param}, then greedy, then $default', () => {
  assert.deepEqual(pick('GET', '/items/special'), { key: 'GET /items/special', params: {} });
  assert.deepEqual(pick('GET', '/items/42'), { key: 'GET /items/{id}', params: { id: '42' } });
  assert.deepEqual(pick('PUT', '/items/42'), { key: 'ANY /items/{id}', params: { id: '42' } });
  assert.deepEqual(pick('GET', '/items/4%202/parts/x'), {
    key: 'GET /items/{id}/parts/{part}',
    params: { id: '4 2', part: 'x' },
  });
  assert.deepEqual(pick('GET', '/items/a/b/c'), {
    key: 'ANY /items/{rest+}',
    params: { rest: 'a/b/c' },
  });
  assert.deepEqual(pick('POST', '/items'), { key: 'POST /items', params: {} });
  assert.deepEqual(pick('GET', '/items'), { key: 'ANY /{proxy+}', params: { proxy: 'items' } });
  assert.deepEqual(pick('GET', '/'), { key: '$default', params: {} });
});

test('without $default an unmatched request has no route; a greedy variable needs a segment', () => {
  const routes = [route('GET /items/{proxy+}'), route('GET /health')];
  assert.equal(pick('GET', '/items', routes), undefined);
  assert.equal(pick('POST', '/health', routes), undefined);
  assert.equal(pick('GET', '/health/more', routes), undefined);
  assert.deepEqual(pick('GET', '/health/', routes), { key: 'GET /health', params: {} });
});
