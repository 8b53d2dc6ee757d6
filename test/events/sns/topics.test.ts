import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CTX, TOPIC_PREFIX, createTestSns, functionArn, refused } from './helpers.js';

test('CreateTopic is idempotent by name; conflicting attributes or tags are refused', async (t) => {
  const { service } = createTestSns(t);
  const arn = await service.createTopic({
    name: 'orders',
    attributes: { DisplayName: 'AlreadySet' },
    tags: [{ Key: 'team', Value: 'a' }],
  });
  assert.equal(arn, `${TOPIC_PREFIX}orders`);
  assert.equal(await service.createTopic({ name: 'orders' }), arn);
  assert.equal(
    await service.createTopic({ name: 'orders', attributes: { DisplayName: 'AlreadySet' } }),
    arn,
  );
  assert.equal(
    await service.createTopic({ name: 'orders', tags: [{ Key: 'team', Value: 'a' }] }),
    arn,
  );
  await refused(
    service.createTopic({ name: 'orders', attributes: { DisplayName: 'Other' } }),
    'InvalidParameterException',
    'Invalid parameter: Attributes Reason: Topic already exists with different attributes',
  );
  await refused(
    service.createTopic({
      name: 'orders',
      tags: [
        { Key: 'team', Value: 'a' },
        { Key: 'x', Value: 'y' },
      ],
    }),
    'InvalidParameterException',
    'Invalid parameter: Tags Reason: Topic already exists with different tags',
  );
  const attributes = await service.getTopicAttributes(arn);
  assert.equal(attributes.DisplayName, 'AlreadySet');
});

test('topic names, FIFO topics, tags and attribute names are validated', async (t) => {
  const { service } = createTestSns(t);
  for (const name of ['', 'a'.repeat(257), 'a:b', 'semi;colon', 'space d', 'dot.ted']) {
    await refused(
      service.createTopic({ name }),
      'InvalidParameterException',
      'Invalid parameter: Topic Name',
    );
  }
  assert.equal(
    await service.createTopic({ name: 'a'.repeat(256) }),
    `${TOPIC_PREFIX}${'a'.repeat(256)}`,
  );
  await refused(
    service.createTopic({ name: 'q.fifo' }),
    'InvalidParameterException',
    /FIFO topics are not supported/,
  );
  await refused(
    service.createTopic({ name: 'q', attributes: { FifoTopic: 'true' } }),
    'InvalidParameterException',
    /FIFO topics are not supported/,
  );
  assert.equal(
    await service.createTopic({ name: 'std', attributes: { FifoTopic: 'false' } }),
    `${TOPIC_PREFIX}std`,
  );
  await refused(
    service.createTopic({
      name: 'dup',
      tags: [
        { Key: 'k', Value: '1' },
        { Key: 'k', Value: '2' },
      ],
    }),
    'InvalidParameterException',
    'Invalid parameter: Duplicated keys are not allowed.',
  );
  await refused(
    service.createTopic({ name: 'bad', attributes: { Colour: 'red' } }),
    'InvalidParameterException',
    'Invalid parameter: Attributes Reason: Unknown attribute Colour',
  );
});

test('GetTopicAttributes reports SNS defaults; SetTopicAttributes validates and round-trips', async (t) => {
  const { service, lambda } = createTestSns(t);
  const arn = await service.createTopic({ name: 'attrs' });
  lambda.functions.add(functionArn('f'));
  await service.subscribe({ topicArn: arn, protocol: 'lambda', endpoint: functionArn('f') });
  const attributes = await service.getTopicAttributes(arn);
  assert.deepEqual(Object.keys(attributes).sort(), [
    'DisplayName',
    'EffectiveDeliveryPolicy',
    'Owner',
    'Policy',
    'SubscriptionsConfirmed',
    'SubscriptionsDeleted',
    'SubscriptionsPending',
    'TopicArn',
  ]);
  assert.equal(attributes.Owner, CTX.accountId);
  assert.equal(attributes.TopicArn, arn);
  assert.equal(attributes.SubscriptionsConfirmed, '1');
  assert.equal(attributes.DisplayName, '');
  const policy = JSON.parse(attributes.Policy ?? '{}') as { Statement: { Resource: string }[] };
  assert.equal(policy.Statement[0]?.Resource, arn);

  await service.setTopicAttributes(arn, 'DisplayName', 'Shown');
  await service.setTopicAttributes(
    arn,
    'DeliveryPolicy',
    '{"http":{"defaultHealthyRetryPolicy":{"numRetries":1}}}',
  );
  const updated = await service.getTopicAttributes(arn);
  assert.equal(updated.DisplayName, 'Shown');
  const effective = JSON.parse(updated.EffectiveDeliveryPolicy ?? '{}') as {
    http: { defaultHealthyRetryPolicy: { numRetries: number; minDelayTarget: number } };
  };
  assert.equal(effective.http.defaultHealthyRetryPolicy.numRetries, 1);
  assert.equal(effective.http.defaultHealthyRetryPolicy.minDelayTarget, 20);
  await service.setTopicAttributes(arn, 'DeliveryPolicy', '');
  assert.equal((await service.getTopicAttributes(arn)).DeliveryPolicy, undefined);

  await refused(
    service.setTopicAttributes(arn, 'FifoTopic', 'false'),
    'InvalidParameterException',
    'Invalid parameter: AttributeName',
  );
  await refused(
    service.setTopicAttributes(arn, 'Owner', 'me'),
    'InvalidParameterException',
    'Invalid parameter: AttributeName',
  );
  await refused(
    service.setTopicAttributes(arn, 'Policy', '{oops'),
    'InvalidParameterException',
    /^Invalid parameter: Policy: failed to parse JSON/,
  );
  await refused(
    service.setTopicAttributes(`${TOPIC_PREFIX}missing`, 'DisplayName', 'x'),
    'NotFoundException',
    'Topic does not exist',
  );
});

test('topic ARNs: malformed, of another region, or unknown', async (t) => {
  const { service } = createTestSns(t);
  await refused(
    service.getTopicAttributes('nope'),
    'InvalidParameterException',
    'Invalid parameter: TopicArn Reason: An ARN must have at least 6 elements, not 1',
  );
  await refused(
    service.getTopicAttributes(`arn:aws:sns:us-west-2:${CTX.accountId}:t`),
    'InvalidParameterException',
    'Invalid parameter: TopicArn',
  );
  await refused(
    service.getTopicAttributes(`${TOPIC_PREFIX}t`),
    'NotFoundException',
    'Topic does not exist',
  );
  await refused(
    service.publish({ topicArn: `${TOPIC_PREFIX}t`, message: 'm' }),
    'NotFoundException',
    'Topic does not exist',
  );
  await refused(
    service.publish({
      topicArn: `${TOPIC_PREFIX}t:0b5b4a8c-3c11-4a57-9c2c-2c0b0f0e5a11`,
      message: 'm',
    }),
    'InvalidParameterException',
    'Invalid parameter: Topic Name',
  );
  await service.deleteTopic(`${TOPIC_PREFIX}never-existed`);
});

test('ListTopics pages by 100 with a NextToken', async (t) => {
  const { service } = createTestSns(t);
  const names = Array.from({ length: 150 }, (_, i) => `t${String(i).padStart(3, '0')}`);
  for (const name of names) {
    await service.createTopic({ name });
  }
  const first = await service.listTopics();
  assert.equal(first.items.length, 100);
  assert.ok(first.nextToken);
  const second = await service.listTopics(first.nextToken);
  assert.equal(second.items.length, 50);
  assert.equal(second.nextToken, undefined);
  assert.deepEqual(
    [...first.items, ...second.items],
    names.map((n) => `${TOPIC_PREFIX}${n}`),
  );
  await refused(
    service.listTopics('garbage!'),
    'InvalidParameterException',
    'Invalid parameter: NextToken',
  );
});
