/**
 * Rules, targets and event buses as the EventBridge API documents them: validation, errors,
 * listing and paging, and the deletes AWS refuses.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CTX, fnArn, openEventBridge, rejectsWith } from './fixtures.js';

const ARN_PREFIX = `arn:aws:events:${CTX.region}:${CTX.accountId}`;

test('PutRule creates, replaces and describes a rule; ARNs follow the bus', async (t) => {
  const eb = await openEventBridge();
  t.after(() => eb.close());
  const created = await eb.service.putRule({
    name: 'nightly',
    scheduleExpression: 'cron(0 2 * * ? *)',
    description: 'nightly job',
  });
  assert.equal(created.ruleArn, `${ARN_PREFIX}:rule/nightly`);
  assert.deepEqual(await eb.service.describeRule({ name: 'nightly' }), {
    name: 'nightly',
    arn: `${ARN_PREFIX}:rule/nightly`,
    eventBusName: 'default',
    scheduleExpression: 'cron(0 2 * * ? *)',
    state: 'ENABLED',
    description: 'nightly job',
    createdBy: CTX.accountId,
  });

  // "If you omit arguments in PutRule, the old values for those arguments are not kept."
  await eb.service.putRule({ name: 'nightly', eventPattern: '{"source":["a"]}' });
  assert.deepEqual(await eb.service.describeRule({ name: 'nightly' }), {
    name: 'nightly',
    arn: `${ARN_PREFIX}:rule/nightly`,
    eventBusName: 'default',
    eventPattern: '{"source":["a"]}',
    state: 'ENABLED',
    createdBy: CTX.accountId,
  });

  await eb.service.createEventBus({ name: 'orders' });
  const custom = await eb.service.putRule({
    name: 'nightly',
    eventBusName: 'orders',
    eventPattern: '{"source":["b"]}',
  });
  assert.equal(custom.ruleArn, `${ARN_PREFIX}:rule/orders/nightly`);
  assert.equal(
    (await eb.service.describeRule({ name: 'nightly', eventBusName: 'orders' })).eventPattern,
    '{"source":["b"]}',
  );
});

test('PutRule refuses what AWS refuses, and changes nothing', async (t) => {
  const eb = await openEventBridge();
  t.after(() => eb.close());
  await rejectsWith(
    eb.service.putRule({ name: 'r' }),
    'ValidationException',
    'Parameter(s) EventPattern or ScheduleExpression must be specified.',
  );
  await rejectsWith(
    eb.service.putRule({ name: 'r', scheduleExpression: 'cron(0 10 * * * *)' }),
    'ValidationException',
    'Parameter ScheduleExpression is not valid.',
  );
  await rejectsWith(
    eb.service.putRule({ name: 'r', scheduleExpression: 'rate(1 minutes)' }),
    'ValidationException',
    'Parameter ScheduleExpression is not valid.',
  );
  await rejectsWith(
    eb.service.putRule({ name: 'r', eventPattern: '{"source": "not-an-array"}' }),
    'InvalidEventPatternException',
    'Event pattern is not valid. Reason: ',
  );
  await rejectsWith(
    eb.service.putRule({ name: 'r', eventPattern: 'not json' }),
    'InvalidEventPatternException',
  );
  await rejectsWith(
    eb.service.putRule({ name: 'r', eventBusName: 'missing', eventPattern: '{"a":["b"]}' }),
    'ResourceNotFoundException',
    'Event bus missing does not exist.',
  );
  assert.deepEqual((await eb.service.listRules({})).rules, []);
});

test('DescribeRule, EnableRule and DisableRule of a missing rule are ResourceNotFoundException', async (t) => {
  const eb = await openEventBridge();
  t.after(() => eb.close());
  for (const call of [
    eb.service.describeRule({ name: 'ghost' }),
    eb.service.enableRule({ name: 'ghost' }),
    eb.service.disableRule({ name: 'ghost' }),
    eb.service.listTargetsByRule({ name: 'ghost' }, {}),
    eb.service.putTargets({ name: 'ghost' }, [{ id: '1', arn: fnArn('f') }]),
  ]) {
    await rejectsWith(
      call,
      'ResourceNotFoundException',
      'Rule ghost does not exist on EventBus default.',
    );
  }
  await rejectsWith(
    eb.service.describeRule({ name: 'ghost', eventBusName: 'nobus' }),
    'ResourceNotFoundException',
    'Event bus nobus does not exist.',
  );
});

test('ListRules filters by prefix and bus, and pages with Limit and NextToken', async (t) => {
  const eb = await openEventBridge();
  t.after(() => eb.close());
  for (const name of ['b-2', 'a-1', 'b-1', 'b-3', 'c']) {
    await eb.service.putRule({ name, eventPattern: '{"source":["x"]}' });
  }
  await eb.service.createEventBus({ name: 'other' });
  await eb.service.putRule({ name: 'b-9', eventBusName: 'other', eventPattern: '{"a":["b"]}' });

  const all = await eb.service.listRules({});
  assert.deepEqual(
    all.rules.map((r) => r.name),
    ['a-1', 'b-1', 'b-2', 'b-3', 'c'],
  );
  assert.equal(all.nextToken, undefined);

  const first = await eb.service.listRules({ namePrefix: 'b-', limit: 2 });
  assert.deepEqual(
    first.rules.map((r) => r.name),
    ['b-1', 'b-2'],
  );
  assert.ok(first.nextToken !== undefined);
  const second = await eb.service.listRules({
    namePrefix: 'b-',
    limit: 2,
    nextToken: first.nextToken,
  });
  assert.deepEqual(
    second.rules.map((r) => r.name),
    ['b-3'],
  );
  assert.equal(second.nextToken, undefined);

  assert.deepEqual(
    (await eb.service.listRules({ eventBusName: 'other' })).rules.map((r) => r.arn),
    [`${ARN_PREFIX}:rule/other/b-9`],
  );
  await rejectsWith(eb.service.listRules({ nextToken: 'garbage' }), 'ValidationException');
});

test('DeleteRule refuses while targets remain, as AWS does, and is idempotent', async (t) => {
  const eb = await openEventBridge();
  t.after(() => eb.close());
  eb.lambda.functions.add(fnArn('f'));
  await eb.service.putRule({ name: 'r', eventPattern: '{"source":["x"]}' });
  await eb.service.putTargets({ name: 'r' }, [{ id: 't1', arn: fnArn('f') }]);
  await rejectsWith(
    eb.service.deleteRule({ name: 'r' }),
    'ValidationException',
    "Rule can't be deleted since it has targets.",
  );
  assert.equal((await eb.service.describeRule({ name: 'r' })).name, 'r');

  assert.deepEqual(await eb.service.removeTargets({ name: 'r' }, ['t1', 'not-there']), {
    failedEntries: [],
  });
  await eb.service.deleteRule({ name: 'r' });
  await rejectsWith(eb.service.describeRule({ name: 'r' }), 'ResourceNotFoundException');
  await eb.service.deleteRule({ name: 'r' });
  await rejectsWith(
    eb.service.deleteRule({ name: 'r', eventBusName: 'nobus' }),
    'ResourceNotFoundException',
  );
});

test('PutTargets reports bad targets in FailedEntries and keeps the good ones', async (t) => {
  const eb = await openEventBridge();
  t.after(() => eb.close());
  eb.lambda.functions.add(fnArn('real'));
  await eb.service.putRule({ name: 'r', eventPattern: '{"source":["x"]}' });
  const { failedEntries } = await eb.service.putTargets({ name: 'r' }, [
    { id: 'good', arn: fnArn('real') },
    { id: 'alias', arn: `${fnArn('real')}:live` },
    { id: 'garbled', arn: 'not-an-arn' },
    { id: 'queue', arn: `arn:aws:sqs:${CTX.region}:${CTX.accountId}:jobs` },
    { id: 'typo', arn: fnArn('raal') },
  ]);
  assert.deepEqual(failedEntries, [
    {
      targetId: 'garbled',
      errorCode: 'ValidationException',
      errorMessage:
        'Parameter not-an-arn is not valid. Reason: Provided Arn is not in correct format.',
    },
    {
      targetId: 'queue',
      errorCode: 'ValidationException',
      errorMessage: `Target queue: arn:aws:sqs:${CTX.region}:${CTX.accountId}:jobs is not a Lambda function ARN; Fogbank delivers events to Lambda functions only.`,
    },
    {
      targetId: 'typo',
      errorCode: 'ResourceNotFoundException',
      errorMessage: `Function not found: ${fnArn('raal')}`,
    },
  ]);
  const listed = await eb.service.listTargetsByRule({ name: 'r' }, {});
  assert.deepEqual(listed.targets, [
    { id: 'good', arn: fnArn('real') },
    { id: 'alias', arn: `${fnArn('real')}:live` },
  ]);

  // Putting an existing Id replaces that target in place.
  await eb.service.putTargets({ name: 'r' }, [
    { id: 'good', arn: fnArn('real'), input: '{"v":2}' },
  ]);
  assert.deepEqual((await eb.service.listTargetsByRule({ name: 'r' }, {})).targets, [
    { id: 'good', arn: fnArn('real'), input: '{"v":2}' },
    { id: 'alias', arn: `${fnArn('real')}:live` },
  ]);
  const paged = await eb.service.listTargetsByRule({ name: 'r' }, { limit: 1 });
  assert.equal(paged.targets.length, 1);
  assert.ok(paged.nextToken !== undefined);
});

test('PutTargets refuses bad input settings and a sixth target, changing nothing', async (t) => {
  const eb = await openEventBridge();
  t.after(() => eb.close());
  eb.lambda.functions.add(fnArn('f'));
  await eb.service.putRule({ name: 'r', eventPattern: '{"source":["x"]}' });
  const arn = fnArn('f');
  await rejectsWith(
    eb.service.putTargets({ name: 'r' }, [{ id: 'a', arn, input: '{broken' }]),
    'ValidationException',
    'JSON syntax error in input for target a',
  );
  await rejectsWith(
    eb.service.putTargets({ name: 'r' }, [{ id: 'a', arn, input: '{}', inputPath: '$.detail' }]),
    'ValidationException',
    'Only one of Input, InputPath, or InputTransformer must be provided for target a.',
  );
  await rejectsWith(
    eb.service.putTargets({ name: 'r' }, [{ id: 'a', arn, inputPath: 'detail' }]),
    'ValidationException',
    'InputPath for target a is not a valid JSON path: detail',
  );
  await rejectsWith(
    eb.service.putTargets({ name: 'r' }, [
      { id: 'a', arn, inputTransformer: { inputTemplate: '{"x": <undefinedVar>}' } },
    ]),
    'ValidationException',
    'InputTemplate for target a contains invalid placeholder undefinedVar.',
  );
  assert.deepEqual((await eb.service.listTargetsByRule({ name: 'r' }, {})).targets, []);

  const five = ['1', '2', '3', '4', '5'].map((id) => ({ id, arn }));
  await eb.service.putTargets({ name: 'r' }, five);
  await eb.service.putTargets({ name: 'r' }, [{ id: '5', arn, input: '{}' }]);
  await rejectsWith(
    eb.service.putTargets({ name: 'r' }, [{ id: '6', arn }]),
    'LimitExceededException',
    'The requested resource exceeds the maximum number allowed.',
  );
  assert.equal((await eb.service.listTargetsByRule({ name: 'r' }, {})).targets.length, 5);
});

test('event buses: default always exists; custom ones are created, listed and deleted', async (t) => {
  const eb = await openEventBridge();
  t.after(() => eb.close());
  assert.deepEqual(await eb.service.describeEventBus(), {
    name: 'default',
    arn: `${ARN_PREFIX}:event-bus/default`,
  });
  const created = await eb.service.createEventBus({ name: 'orders', description: 'shop' });
  assert.deepEqual(created, {
    eventBusArn: `${ARN_PREFIX}:event-bus/orders`,
    description: 'shop',
  });
  assert.deepEqual(await eb.service.describeEventBus('orders'), {
    name: 'orders',
    arn: `${ARN_PREFIX}:event-bus/orders`,
    description: 'shop',
    createdAt: eb.clock.now(),
    modifiedAt: eb.clock.now(),
  });
  await eb.service.createEventBus({ name: 'audit' });
  assert.deepEqual(
    (await eb.service.listEventBuses({})).eventBuses.map((b) => b.name),
    ['default', 'audit', 'orders'],
  );
  assert.deepEqual(
    (await eb.service.listEventBuses({ namePrefix: 'or' })).eventBuses.map((b) => b.name),
    ['orders'],
  );

  await rejectsWith(
    eb.service.createEventBus({ name: 'orders' }),
    'ResourceAlreadyExistsException',
    'Event bus orders already exists.',
  );
  await rejectsWith(
    eb.service.createEventBus({ name: 'default' }),
    'ResourceAlreadyExistsException',
  );
  await rejectsWith(
    eb.service.deleteEventBus('default'),
    'ValidationException',
    'Cannot delete event bus default.',
  );

  await eb.service.putRule({ name: 'r', eventBusName: 'orders', eventPattern: '{"a":["b"]}' });
  await rejectsWith(
    eb.service.deleteEventBus('orders'),
    'ValidationException',
    "EventBus can't be deleted since it has rules.",
  );
  await eb.service.deleteRule({ name: 'r', eventBusName: 'orders' });
  await eb.service.deleteEventBus('orders');
  await eb.service.deleteEventBus('orders');
  await rejectsWith(
    eb.service.describeEventBus('orders'),
    'ResourceNotFoundException',
    'Event bus orders does not exist.',
  );
});
