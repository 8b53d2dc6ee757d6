/**
 * The EventBridge API over a real http.Server, driven by the real @aws-sdk/client-eventbridge
 * (awsJson1_1, X-Amz-Target: AWSEvents.<Op>), and raw HTTP for what the SDK hides.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  CreateEventBusCommand,
  DeleteEventBusCommand,
  DeleteRuleCommand,
  DescribeEventBusCommand,
  DescribeRuleCommand,
  DisableRuleCommand,
  EnableRuleCommand,
  EventBridgeServiceException,
  ListEventBusesCommand,
  ListRulesCommand,
  ListTargetsByRuleCommand,
  PutEventsCommand,
  PutRuleCommand,
  PutTargetsCommand,
  RemoveTargetsCommand,
} from '@aws-sdk/client-eventbridge';
import { CTX, UUID, fnArn, startEventBridgeServer } from './fixtures.js';

const ARN_PREFIX = `arn:aws:events:${CTX.region}:${CTX.accountId}`;

/** Asserts that an SDK call fails with `name` (HTTP 400) and a message containing `part`. */
async function sdkRejects(promise: Promise<unknown>, name: string, part: string): Promise<void> {
  await assert.rejects(promise, (err: unknown) => {
    assert.ok(err instanceof EventBridgeServiceException, String(err));
    assert.equal(err.name, name, err.message);
    assert.ok(err.message.includes(part), err.message);
    assert.equal(err.$metadata.httpStatusCode, 400);
    assert.match(err.$metadata.requestId ?? '', UUID);
    return true;
  });
}

test('a scheduled rule and its Lambda target, created through the SDK, fire on the clock', async (t) => {
  const eb = await startEventBridgeServer();
  t.after(() => eb.stop());
  const target = fnArn('cleanup');
  eb.lambda.functions.add(target);

  const put = await eb.client.send(
    new PutRuleCommand({
      Name: 'every-5',
      ScheduleExpression: 'rate(5 minutes)',
      Description: 'cleanup',
    }),
  );
  assert.equal(put.RuleArn, `${ARN_PREFIX}:rule/every-5`);
  assert.match(put.$metadata.requestId ?? '', UUID);

  const targets = await eb.client.send(
    new PutTargetsCommand({
      Rule: 'every-5',
      Targets: [{ Id: 'cleanup', Arn: target, Input: '{"mode":"full"}' }],
    }),
  );
  assert.equal(targets.FailedEntryCount, 0);
  assert.deepEqual(targets.FailedEntries, []);

  const listed = await eb.client.send(new ListTargetsByRuleCommand({ Rule: 'every-5' }));
  assert.deepEqual(listed.Targets, [{ Id: 'cleanup', Arn: target, Input: '{"mode":"full"}' }]);

  const described = await eb.client.send(new DescribeRuleCommand({ Name: 'every-5' }));
  assert.deepEqual(
    {
      Name: described.Name,
      Arn: described.Arn,
      ScheduleExpression: described.ScheduleExpression,
      State: described.State,
      Description: described.Description,
      EventBusName: described.EventBusName,
      CreatedBy: described.CreatedBy,
      EventPattern: described.EventPattern,
    },
    {
      Name: 'every-5',
      Arn: `${ARN_PREFIX}:rule/every-5`,
      ScheduleExpression: 'rate(5 minutes)',
      State: 'ENABLED',
      Description: 'cleanup',
      EventBusName: 'default',
      CreatedBy: CTX.accountId,
      EventPattern: undefined,
    },
  );

  await eb.clock.advance(5 * 60_000);
  assert.deepEqual(eb.lambda.eventsFor(target), [{ mode: 'full' }]);

  await eb.client.send(new DisableRuleCommand({ Name: 'every-5' }));
  await eb.clock.advance(10 * 60_000);
  assert.equal(eb.lambda.invocations.length, 1);
  await eb.client.send(new EnableRuleCommand({ Name: 'every-5' }));
  await eb.clock.advance(5 * 60_000);
  assert.equal(eb.lambda.invocations.length, 2);
});

test('PutEvents through the SDK: matched entries reach the target, bad ones fail alone', async (t) => {
  const eb = await startEventBridgeServer();
  t.after(() => eb.stop());
  const target = fnArn('orders');
  eb.lambda.functions.add(target);
  await eb.client.send(
    new PutRuleCommand({
      Name: 'orders',
      EventPattern: JSON.stringify({ source: ['shop'], detail: { state: ['PAID'] } }),
    }),
  );
  await eb.client.send(
    new PutTargetsCommand({ Rule: 'orders', Targets: [{ Id: '1', Arn: target }] }),
  );

  const out = await eb.client.send(
    new PutEventsCommand({
      Entries: [
        {
          Source: 'shop',
          DetailType: 'Order',
          Detail: '{"state":"PAID","id":7}',
          Time: new Date('2025-06-01T12:34:56.789Z'),
          Resources: ['arn:aws:s3:::bucket'],
        },
        { Source: 'shop', DetailType: 'Order', Detail: '{"state":"NEW"}' },
        { Source: 'shop', DetailType: 'Order', Detail: 'nope' },
      ],
    }),
  );
  assert.equal(out.FailedEntryCount, 1);
  const [paid, unmatched, bad] = out.Entries ?? [];
  assert.match(paid?.EventId ?? '', UUID);
  assert.match(unmatched?.EventId ?? '', UUID);
  assert.deepEqual(bad, { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' });
  assert.deepEqual(eb.lambda.eventsFor(target), [
    {
      version: '0',
      id: paid?.EventId,
      'detail-type': 'Order',
      source: 'shop',
      account: CTX.accountId,
      time: '2025-06-01T12:34:56Z',
      region: CTX.region,
      resources: ['arn:aws:s3:::bucket'],
      detail: { state: 'PAID', id: 7 },
    },
  ]);

  await sdkRejects(
    eb.client.send(
      new PutEventsCommand({
        Entries: Array.from({ length: 11 }, () => ({ Source: 's', DetailType: 'd', Detail: '{}' })),
      }),
    ),
    'ValidationException',
    "at 'entries' failed to satisfy constraint: Member must have length less than or equal to 10",
  );
});

test('errors come back as the SDK models them', async (t) => {
  const eb = await startEventBridgeServer();
  t.after(() => eb.stop());
  eb.lambda.functions.add(fnArn('f'));

  await sdkRejects(
    eb.client.send(new DescribeRuleCommand({ Name: 'missing' })),
    'ResourceNotFoundException',
    'Rule missing does not exist on EventBus default.',
  );
  await sdkRejects(
    eb.client.send(new PutRuleCommand({ Name: 'bad name!', ScheduleExpression: 'rate(1 day)' })),
    'ValidationException',
    "1 validation error detected: Value 'bad name!' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\.\\-_A-Za-z0-9]+",
  );
  await sdkRejects(
    eb.client.send(new PutRuleCommand({ Name: 'p', EventPattern: '{"source":"x"}' })),
    'InvalidEventPatternException',
    'Event pattern is not valid.',
  );
  await sdkRejects(
    eb.client.send(new PutRuleCommand({ Name: 's', ScheduleExpression: 'cron(* * * * * *)' })),
    'ValidationException',
    'Parameter ScheduleExpression is not valid.',
  );

  await eb.client.send(new PutRuleCommand({ Name: 'r', EventPattern: '{"source":["x"]}' }));
  const put = await eb.client.send(
    new PutTargetsCommand({
      Rule: 'r',
      Targets: [
        { Id: 'ok', Arn: fnArn('f') },
        { Id: 'bad', Arn: 'arn:aws:sns:us-east-1:000000000000:topic' },
      ],
    }),
  );
  assert.equal(put.FailedEntryCount, 1);
  const [failed] = put.FailedEntries ?? [];
  assert.deepEqual([failed?.TargetId, failed?.ErrorCode], ['bad', 'ValidationException']);

  await sdkRejects(
    eb.client.send(new DeleteRuleCommand({ Name: 'r' })),
    'ValidationException',
    "Rule can't be deleted since it has targets.",
  );
  const removed = await eb.client.send(new RemoveTargetsCommand({ Rule: 'r', Ids: ['ok'] }));
  assert.equal(removed.FailedEntryCount, 0);
  await eb.client.send(new DeleteRuleCommand({ Name: 'r' }));
  await sdkRejects(
    eb.client.send(new DescribeRuleCommand({ Name: 'r' })),
    'ResourceNotFoundException',
    'Rule r does not exist',
  );
});

test('event buses through the SDK, and rules addressed by the bus ARN', async (t) => {
  const eb = await startEventBridgeServer();
  t.after(() => eb.stop());
  const created = await eb.client.send(
    new CreateEventBusCommand({ Name: 'payments', Description: 'money' }),
  );
  assert.equal(created.EventBusArn, `${ARN_PREFIX}:event-bus/payments`);

  const described = await eb.client.send(new DescribeEventBusCommand({ Name: 'payments' }));
  assert.equal(described.Arn, created.EventBusArn);
  assert.equal(described.Description, 'money');
  assert.equal(described.CreationTime?.toISOString(), '2025-01-01T00:00:00.000Z');
  const fallback = await eb.client.send(new DescribeEventBusCommand({}));
  assert.equal(fallback.Name, 'default');

  const buses = await eb.client.send(new ListEventBusesCommand({}));
  assert.deepEqual(
    buses.EventBuses?.map((b) => b.Name),
    ['default', 'payments'],
  );

  await eb.client.send(
    new PutRuleCommand({
      Name: 'big',
      EventBusName: created.EventBusArn,
      EventPattern: '{"source":["pay"]}',
    }),
  );
  const rules = await eb.client.send(new ListRulesCommand({ EventBusName: 'payments' }));
  assert.deepEqual(
    rules.Rules?.map((r) => [r.Name, r.Arn, r.EventBusName, r.State]),
    [['big', `${ARN_PREFIX}:rule/payments/big`, 'payments', 'ENABLED']],
  );
  await sdkRejects(
    eb.client.send(new DeleteEventBusCommand({ Name: 'payments' })),
    'ValidationException',
    "EventBus can't be deleted since it has rules.",
  );
  await eb.client.send(new DeleteRuleCommand({ Name: 'big', EventBusName: 'payments' }));
  await eb.client.send(new DeleteEventBusCommand({ Name: 'payments' }));
  await sdkRejects(
    eb.client.send(new DescribeEventBusCommand({ Name: 'payments' })),
    'ResourceNotFoundException',
    'Event bus payments does not exist.',
  );
});

test('the wire: request ids, content type and error bodies', async (t) => {
  const eb = await startEventBridgeServer();
  t.after(() => eb.stop());
  const call = (target: string, body: string) =>
    fetch(eb.url, {
      method: 'POST',
      headers: { 'X-Amz-Target': target, 'Content-Type': 'application/x-amz-json-1.1' },
      body,
    });

  const ok = await call('AWSEvents.ListRules', '{}');
  assert.equal(ok.status, 200);
  assert.match(ok.headers.get('x-amzn-requestid') ?? '', UUID);
  assert.equal(ok.headers.get('content-type'), 'application/x-amz-json-1.1');
  assert.deepEqual(await ok.json(), { Rules: [] });

  const missing = await call('AWSEvents.DescribeRule', '{"Name":"nope"}');
  assert.equal(missing.status, 400);
  assert.match(missing.headers.get('x-amzn-requestid') ?? '', UUID);
  assert.equal(missing.headers.get('x-amzn-errortype'), 'ResourceNotFoundException');
  assert.deepEqual(await missing.json(), {
    __type: 'ResourceNotFoundException',
    message: 'Rule nope does not exist on EventBus default.',
  });

  const unknown = await call('AWSEvents.CreateArchive', '{}');
  assert.equal(unknown.status, 400);
  assert.equal(((await unknown.json()) as { __type: string }).__type, 'UnknownOperationException');

  const garbled = await call('AWSEvents.PutRule', '{not json');
  assert.equal(garbled.status, 400);
  assert.equal(((await garbled.json()) as { __type: string }).__type, 'SerializationException');

  const wrongType = await call('AWSEvents.PutRule', '{"Name": 5}');
  assert.equal(((await wrongType.json()) as { __type: string }).__type, 'SerializationException');

  const none = await call('AWSEvents.PutTargets', '{}');
  assert.deepEqual(await none.json(), {
    __type: 'ValidationException',
    message:
      "2 validation errors detected: Value null at 'rule' failed to satisfy constraint: Member must not be null; Value null at 'targets' failed to satisfy constraint: Member must not be null",
  });
});
