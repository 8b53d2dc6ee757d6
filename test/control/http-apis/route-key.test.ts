import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkRouteKey } from '../../../src/control/http-apis/route-key.js';

test('route keys: $default, METHOD /path with {params} and a final greedy {param+}', () => {
  for (const key of [
    '$default',
    'GET /',
    'ANY /{proxy+}',
    'POST /orders/{orderId}/items',
    'DELETE /a/{b}/{rest+}',
    'OPTIONS /v1.2/x-y_z',
    'HEAD /items',
    'PATCH /items/{id}',
    'PUT /items/{id}',
  ]) {
    assert.doesNotThrow(() => {
      checkRouteKey(key);
    }, key);
  }
  for (const key of [
    '',
    '$DEFAULT',
    'GET',
    'GET ',
    'get /x',
    'CONNECT /x',
    'GET x',
    'GET /{proxy+}/more',
    'GET /{}',
    'GET /a{b}',
    'GET /a//b',
    'GET  /x',
    'GET /x y',
  ]) {
    assert.throws(
      () => {
        checkRouteKey(key);
      },
      { name: 'BadRequestException' },
      key,
    );
  }
});
