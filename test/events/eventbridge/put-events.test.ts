/**
 * PutEvents: entries matched against the enabled rules of their bus with the shared pattern
 * engine, the envelope targets receive, and per-entry errors.
 * https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutEvents.html
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CTX, UUID, fnArn, openEventBridge, rejectsWith } from './fixtures.js';

const ORDERS_PATTERN = JSON.stringify({
  source: ['shop.orders'],
  'detail-type': ['OrderPlaced'],
  detail: { total: [{ numeric: ['>', 100] }] },
});

async function withOrdersRule() {
  const eb = await openEventBridge();
  eb.lambda.functions.add(fnArn('big-orders'));
  await eb.service.putRule({ name: 'big-orders', eventPattern: ORDERS_PATTERN });
  await eb.service.putTargets({ name: 'big-orders' }, [{ id: 'fn', arn: fnArn('big-orders') }]);
  return eb;
}

test('a matching event reaches the target in the EventBridge envelope', async (t) => {
  const eb = await withOrdersRule();
  t.after(() => eb.close());
  const results = await eb.service.putEvents([
    {
      source: 'shop.orders',
      detailType: 'OrderPlaced',
      detail: JSON.stringify({ orderId: 'o-1', total: 250 }),
      resources: ['arn:aws:dynamodb:us-east-1:000000000000:table/orders'],
      time: Date.parse('2025-03-04T05:06:07.890Z'),
    },
  ]);
  assert.equal(results.length, 1);
  const [result] = results;
  assert.ok(result && 'eventId' in result);
  assert.match(result.eventId, UUID);
  assert.deepEqual(eb.lambda.eventsFor(fnArn('big-orders')), [
    {
      version: '0',
      id: result.eventId,
      'detail-type': 'OrderPlaced',
      source: 'shop.orders',
      account: CTX.accountId,
      time: '2025-03-04T05:06:07Z',
      region: CTX.region,
      resources: ['arn:aws:dynamodb:us-east-1:000000000000:table/orders'],
      detail: { orderId: 'o-1', total: 250 },
    },
  ]);
});

test('an event the pattern does not match is accepted but goes nowhere', async (t) => {
  const eb = await withOrdersRule();
  t.after(() => eb.close());
  const results = await eb.service.putEvents([
    { source: 'shop.orders', detailType: 'OrderPlaced', detail: '{"total": 99}' },
    { source: 'shop.billing', detailType: 'OrderPlaced', detail: '{"total": 500}' },
    { source: 'shop.orders', detailType: 'OrderShipped', detail: '{"total": 500}' },
  ]);
  assert.equal(results.filter((r) => 'eventId' in r).length, 3);
  assert.equal(eb.lambda.invocations.length, 0);
});

test('the time of an entry without Time is when it was put', async (t) => {
  const eb = await withOrdersRule();
  t.after(() => eb.close());
  await eb.clock.advance(1234);
  await eb.service.putEvents([
    { source: 'shop.orders', detailType: 'OrderPlaced', detail: '{"total": 101}' },
  ]);
  assert.equal((eb.lambda.invocations[0]?.event as { time: string }).time, '2025-01-01T00:00:01Z');
});

test('every matching rule delivers; disabled rules and schedule-only rules do not', async (t) => {
  const eb = await withOrdersRule();
  t.after(() => eb.close());
  for (const name of ['all-orders', 'disabled', 'scheduled']) {
    eb.lambda.functions.add(fnArn(name));
  }
  await eb.service.putRule({ name: 'all-orders', eventPattern: '{"source":["shop.orders"]}' });
  await eb.service.putRule({
    name: 'disabled',
    eventPattern: '{"source":["shop.orders"]}',
    state: 'DISABLED',
  });
  await eb.service.putRule({ name: 'scheduled', scheduleExpression: 'rate(1 day)' });
  for (const name of ['all-orders', 'disabled', 'scheduled']) {
    await eb.service.putTargets({ name }, [{ id: 'fn', arn: fnArn(name) }]);
  }
  await eb.service.putEvents([
    { source: 'shop.orders', detailType: 'OrderPlaced', detail: '{"total": 300}' },
  ]);
  assert.deepEqual(eb.lambda.invocations.map((i) => i.functionArn).sort(), [
    fnArn('all-orders'),
    fnArn('big-orders'),
  ]);
});

test('rules see only the events of their own bus', async (t) => {
  const eb = await openEventBridge();
  t.after(() => eb.close());
  eb.lambda.functions.add(fnArn('custom'));
  eb.lambda.functions.add(fnArn('default'));
  const { eventBusArn } = await eb.service.createEventBus({ name: 'orders' });
  const pattern = '{"source":["shop"]}';
  await eb.service.putRule({ name: 'r', eventBusName: 'orders', eventPattern: pattern });
  await eb.service.putRule({ name: 'r', eventPattern: pattern });
  await eb.service.putTargets({ name: 'r', eventBusName: 'orders' }, [
    { id: '1', arn: fnArn('custom') },
  ]);
  await eb.service.putTargets({ name: 'r' }, [{ id: '1', arn: fnArn('default') }]);

  await eb.service.putEvents([
    { source: 'shop', detailType: 'x', detail: '{"to":"orders"}', eventBusName: 'orders' },
    { source: 'shop', detailType: 'x', detail: '{"to":"default"}' },
  ]);
  assert.deepEqual(
    eb.lambda.eventsFor(fnArn('custom')).map((e) => (e as { detail: unknown }).detail),
    [{ to: 'orders' }],
  );
  assert.deepEqual(
    eb.lambda.eventsFor(fnArn('default')).map((e) => (e as { detail: unknown }).detail),
    [{ to: 'default' }],
  );

  // putEventsToBus: Fogbank's own producers (async invocation destinations) name the bus by ARN.
  const results = await eb.service.putEventsToBus(eventBusArn, [
    { source: 'shop', detailType: 'x', detail: '{"via":"arn"}' },
  ]);
  assert.ok(results[0] && 'eventId' in results[0]);
  assert.equal(eb.lambda.eventsFor(fnArn('custom')).length, 2);
  await rejectsWith(
    eb.service.putEventsToBus(eventBusArn.replace('/orders', '/missing'), [
      { source: 'shop', detailType: 'x', detail: '{}' },
    ]),
    'ResourceNotFoundException',
  );
});

test('entries with a bad member fail one by one, the others go through', async (t) => {
  const eb = await withOrdersRule();
  t.after(() => eb.close());
  const ok = { source: 'shop.orders', detailType: 'OrderPlaced', detail: '{"total": 1000}' };
  const results = await eb.service.putEvents([
    ok,
    { detailType: 'OrderPlaced', detail: '{}' },
    { source: 'shop.orders', detail: '{}' },
    { source: 'shop.orders', detailType: 'OrderPlaced' },
    { source: 'shop.orders', detailType: 'OrderPlaced', detail: '{not json' },
    { source: 'shop.orders', detailType: 'OrderPlaced', detail: '[1, 2]' },
    ok,
  ]);
  assert.deepEqual(
    results.map((r) => ('eventId' in r ? 'ok' : [r.errorCode, r.errorMessage])),
    [
      'ok',
      ['InvalidArgument', 'Parameter Source is not valid. Reason: Source is a required argument.'],
      [
        'InvalidArgument',
        'Parameter DetailType is not valid. Reason: DetailType is a required argument.',
      ],
      ['InvalidArgument', 'Parameter Detail is not valid. Reason: Detail is a required argument.'],
      ['MalformedDetail', 'Detail is malformed.'],
      ['MalformedDetail', 'Detail is malformed.'],
      'ok',
    ],
  );
  assert.equal(eb.lambda.invocations.length, 2);
});

test('an event for a bus that does not exist is accepted and dropped, with a warning', async (t) => {
  const eb = await withOrdersRule();
  t.after(() => eb.close());
  const results = await eb.service.putEvents([
    { source: 'shop.orders', detailType: 'OrderPlaced', detail: '{}', eventBusName: 'nope' },
  ]);
  assert.ok(results[0] && 'eventId' in results[0]);
  assert.equal(eb.lambda.invocations.length, 0);
  assert.match(eb.warnings[0] ?? '', /event bus nope does not exist/);
});

test('the entries of one request may not exceed 256 KB', async (t) => {
  const eb = await withOrdersRule();
  t.after(() => eb.close());
  const detail = JSON.stringify({ blob: 'x'.repeat(200 * 1024) });
  await rejectsWith(
    eb.service.putEvents([
      { source: 's', detailType: 'd', detail },
      { source: 's', detailType: 'd', detail },
    ]),
    'ValidationException',
    'Total size of the entries in the request is over the limit.',
  );
});

test('InputPath and InputTransformer select from the matched event', async (t) => {
  const eb = await openEventBridge();
  t.after(() => eb.close());
  eb.lambda.functions.add(fnArn('path'));
  eb.lambda.functions.add(fnArn('template'));
  await eb.service.putRule({ name: 'r', eventPattern: '{"source":["shop"]}' });
  await eb.service.putTargets({ name: 'r' }, [
    { id: 'path', arn: fnArn('path'), inputPath: '$.detail.order' },
    {
      id: 'template',
      arn: fnArn('template'),
      inputTransformer: {
        inputPathsMap: {
          id: '$.detail.order.id',
          items: '$.detail.order.items[*].sku',
          missing: '$.detail.nothing',
          quote: '$.detail.note',
        },
        inputTemplate:
          '{"id": <id>, "skus": <items>, "missing": <missing>, "msg": "order <id> says <quote>", "rule": "<aws.events.rule-arn>"}',
      },
    },
  ]);
  const order = { id: 'o-9', items: [{ sku: 'a' }, { sku: 'b' }] };
  await eb.service.putEvents([
    {
      source: 'shop',
      detailType: 'OrderPlaced',
      detail: JSON.stringify({ order, note: 'say "hi"' }),
    },
  ]);
  assert.deepEqual(eb.lambda.eventsFor(fnArn('path')), [order]);
  assert.deepEqual(eb.lambda.eventsFor(fnArn('template')), [
    {
      id: 'o-9',
      skus: ['a', 'b'],
      missing: null,
      msg: 'order o-9 says say "hi"',
      rule: `arn:aws:events:${CTX.region}:${CTX.accountId}:rule/r`,
    },
  ]);
});
