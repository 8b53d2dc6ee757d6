import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  FilterPolicyError,
  compileFilterPolicy,
  type FilterPolicyScope,
} from '../../../src/events/sns/filter-policy.js';
import type { SnsMessageAttributes } from '../../../src/events/sns/types.js';

const str = (StringValue: string) => ({ DataType: 'String', StringValue });
const num = (StringValue: string) => ({ DataType: 'Number', StringValue });

function onAttributes(policy: object, attributes: SnsMessageAttributes): boolean {
  return compileFilterPolicy(JSON.stringify(policy), 'MessageAttributes').matches(
    'body',
    attributes,
  );
}

function onBody(policy: object, body: unknown): boolean {
  const message = typeof body === 'string' ? body : JSON.stringify(body);
  return compileFilterPolicy(JSON.stringify(policy), 'MessageBody').matches(message, {});
}

function refusal(
  policy: string,
  scope: FilterPolicyScope = 'MessageAttributes',
): FilterPolicyError {
  try {
    compileFilterPolicy(policy, scope);
  } catch (error) {
    assert.ok(error instanceof FilterPolicyError);
    return error;
  }
  throw new Error(`policy ${policy} was accepted`);
}

test('attribute scope: exact strings, AND across keys, OR within a key, missing attributes', () => {
  const policy = { store: ['example_corp'], event: ['order_placed', 'order_cancelled'] };
  assert.equal(
    onAttributes(policy, { store: str('example_corp'), event: str('order_placed') }),
    true,
  );
  assert.equal(
    onAttributes(policy, { store: str('example_corp'), event: str('order_cancelled') }),
    true,
  );
  assert.equal(
    onAttributes(policy, { store: str('example_corp'), event: str('order_shipped') }),
    false,
  );
  assert.equal(onAttributes(policy, { store: str('example_corp') }), false);
  assert.equal(onAttributes(policy, {}), false);
  // Matching is case-sensitive.
  assert.equal(
    onAttributes(policy, { store: str('Example_Corp'), event: str('order_placed') }),
    false,
  );
});

test('attribute scope: numeric ranges and equality apply to Number attributes, not to strings', () => {
  const policy = { price_usd: [{ numeric: ['>=', 100, '<', 200] }] };
  assert.equal(onAttributes(policy, { price_usd: num('100') }), true);
  assert.equal(onAttributes(policy, { price_usd: num('199.99') }), true);
  assert.equal(onAttributes(policy, { price_usd: num('200') }), false);
  assert.equal(onAttributes(policy, { price_usd: num('99') }), false);
  assert.equal(onAttributes(policy, { price_usd: str('150') }), false);
  // 3.015e2 and 301.5 are the same number (SNS's documented example).
  const equal = { price_usd: [{ numeric: ['=', 301.5] }] };
  assert.equal(onAttributes(equal, { price_usd: num('3.015e2') }), true);
  assert.equal(onAttributes({ price_usd: [301.5] }, { price_usd: num('301.5') }), true);
});

test('attribute scope: prefix, suffix, anything-but, exists and equals-ignore-case', () => {
  assert.equal(onAttributes({ customer: [{ prefix: 'bl' }] }, { customer: str('blue') }), true);
  assert.equal(onAttributes({ customer: [{ prefix: 'bl' }] }, { customer: str('red') }), false);
  assert.equal(onAttributes({ image: [{ suffix: '.png' }] }, { image: str('a.png') }), true);
  const notRugby = { sport: [{ 'anything-but': ['rugby', 'tennis'] }] };
  assert.equal(onAttributes(notRugby, { sport: str('soccer') }), true);
  assert.equal(onAttributes(notRugby, { sport: str('rugby') }), false);
  // anything-but still needs the attribute to be there.
  assert.equal(onAttributes(notRugby, {}), false);
  const notPrefix = { event: [{ 'anything-but': { prefix: 'order-' } }] };
  assert.equal(onAttributes(notPrefix, { event: str('order-cancelled') }), false);
  assert.equal(onAttributes(notPrefix, { event: str('refund') }), true);
  const present = { store: [{ exists: true }] };
  assert.equal(onAttributes(present, { store: str('x') }), true);
  assert.equal(onAttributes(present, { other: str('x') }), false);
  const absent = { store: [{ exists: false }] };
  assert.equal(onAttributes(absent, { other: str('x') }), true);
  assert.equal(onAttributes(absent, { store: num('1') }), false);
  assert.equal(
    onAttributes({ name: [{ 'equals-ignore-case': 'ALICE' }] }, { name: str('alice') }),
    true,
  );
  // `null` in a policy does not match a missing attribute (recorded from AWS).
  assert.equal(onAttributes({ attr1: [null, { 'anything-but': 'whatever' }] }, {}), false);
});

test('attribute scope: String.Array matches on any element; Binary attributes are invisible', () => {
  const interests = { DataType: 'String.Array', StringValue: '["soccer", "rugby", 7]' };
  assert.equal(onAttributes({ interests: ['rugby'] }, { interests }), true);
  assert.equal(onAttributes({ interests: ['tennis'] }, { interests }), false);
  assert.equal(onAttributes({ interests: [{ numeric: ['>', 5] }] }, { interests }), true);
  const blob = { DataType: 'Binary', BinaryValue: Buffer.from('x') };
  assert.equal(onAttributes({ blob: [{ exists: true }] }, { blob }), false);
  assert.equal(onAttributes({ blob: [{ exists: false }] }, { blob }), true);
});

test('$or across keys, and an empty policy that accepts everything', () => {
  const policy = { $or: [{ source: ['aws.cloudwatch'] }, { metricName: ['CPUUtilization'] }] };
  assert.equal(onAttributes(policy, { source: str('aws.cloudwatch') }), true);
  assert.equal(onAttributes(policy, { metricName: str('CPUUtilization') }), true);
  assert.equal(onAttributes(policy, { source: str('other') }), false);
  assert.equal(onAttributes({}, {}), true);
});

test('body scope: nested properties, arrays, and bodies that are not JSON objects', () => {
  const policy = { order: { status: ['shipped'], total: [{ numeric: ['>', 10] }] } };
  assert.equal(onBody(policy, { order: { status: 'shipped', total: 12 } }), true);
  assert.equal(onBody(policy, { order: { status: 'shipped', total: 8 } }), false);
  assert.equal(onBody(policy, { order: { status: 'pending', total: 12 } }), false);
  assert.equal(
    onBody(
      { headers: { 'route-to': ['queue1'] } },
      { headers: { 'route-to': ['queue1', 'queue2'] } },
    ),
    true,
  );
  assert.equal(
    onBody({ headers: { 'route-to': ['queue1'] } }, { headers: { 'route-to': ['queue2'] } }),
    false,
  );
  assert.equal(onBody({ a: ['x'] }, 'not json'), false);
  assert.equal(onBody({ a: ['x'] }, '["x"]'), false);
  assert.equal(onBody({ a: [{ exists: false }] }, '"just a string"'), false);
});

test('policies SNS refuses, with its reasons', () => {
  assert.match(refusal('{"key":').message, /^failed to parse JSON\. /);
  assert.equal(refusal('[1]').message, 'Filter policy must be a JSON object');
  const nested = refusal('{"a":{"b":["c"]}}');
  assert.equal(
    nested.message,
    'Filter policy scope MessageAttributes does not support nested filter policy',
  );
  assert.equal(nested.scopeConflict, true);
  assert.doesNotThrow(() => compileFilterPolicy('{"a":{"b":["c"]}}', 'MessageBody'));
  assert.equal(
    refusal('{"a":["1"],"b":["1"],"c":["1"],"d":["1"],"e":["1"],"f":["1"]}').message,
    'Filter policy can not have more than 5 keys',
  );
  const many = (n: number) => JSON.stringify(Array.from({ length: n }, (_, i) => String(i)));
  assert.equal(
    refusal(`{"a":${many(10)},"b":${many(10)},"c":${many(2)}}`).message,
    'Filter policy is too complex',
  );
  assert.doesNotThrow(() =>
    compileFilterPolicy(`{"a":${many(10)},"b":${many(15)}}`, 'MessageAttributes'),
  );
  assert.equal(
    refusal('{"key":[{"wrong-operator":true}]}').message,
    'Unrecognized match type wrong-operator',
  );
  assert.equal(
    refusal('{"key":[{"exists":"no"}]}').message,
    'exists match pattern must be either true or false.',
  );
  assert.equal(
    refusal('{"key":[{"numeric":[">",3,"<",1]}]}').message,
    'Bottom must be less than top',
  );
  assert.equal(refusal('{"key":[{"numeric":[">",3,"<",1]}]}').scopeConflict, false);
});
