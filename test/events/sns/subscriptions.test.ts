import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CTX, TOPIC_PREFIX, createTestSns, functionArn, queueArn, refused } from './helpers.js';

test('Subscribe validates protocol and endpoint, and is idempotent for the same attributes', async (t) => {
  const { service, queues, lambda } = createTestSns(t);
  const topic = await service.createTopic({ name: 'subs' });
  const q = queueArn('q');
  queues.queues.add(q);
  await refused(
    service.subscribe({ topicArn: topic, protocol: 'test-protocol', endpoint: q }),
    'InvalidParameterException',
    'Invalid parameter: Amazon SNS does not support this protocol string: test-protocol',
  );
  await refused(
    service.subscribe({ topicArn: topic, protocol: 'email', endpoint: 'a@example.com' }),
    'InvalidParameterException',
    /email subscriptions are not supported/,
  );
  await refused(
    service.subscribe({
      topicArn: topic,
      protocol: 'sqs',
      endpoint: 'https://sqs.us-east-1.amazonaws.com/1/q',
    }),
    'InvalidParameterException',
    'Invalid parameter: SQS endpoint ARN',
  );
  await refused(
    service.subscribe({ topicArn: topic, protocol: 'sqs', endpoint: queueArn('q.fifo') }),
    'InvalidParameterException',
    'Invalid parameter: Invalid parameter: Endpoint Reason: FIFO SQS Queues can not be subscribed to standard SNS topics',
  );
  await refused(
    service.subscribe({ topicArn: topic, protocol: 'sqs', endpoint: queueArn('missing') }),
    'InvalidParameterException',
    /Queue .* does not exist/,
  );
  await refused(
    service.subscribe({ topicArn: topic, protocol: 'lambda', endpoint: functionArn('missing') }),
    'InvalidParameterException',
    /Function .* does not exist/,
  );
  await refused(
    service.subscribe({ topicArn: topic, protocol: 'lambda', endpoint: 'my-function' }),
    'InvalidParameterException',
    'Invalid parameter: Lambda endpoint ARN',
  );
  lambda.functions.add(functionArn('f'));
  await refused(
    service.subscribe({
      topicArn: topic,
      protocol: 'lambda',
      endpoint: functionArn('f'),
      attributes: { RawMessageDelivery: 'true' },
    }),
    'InvalidParameterException',
    'Invalid parameter: Attributes Reason: Delivery protocol [lambda] does not support raw message delivery.',
  );
  await refused(
    service.subscribe({ topicArn: `${TOPIC_PREFIX}nope`, protocol: 'sqs', endpoint: q }),
    'NotFoundException',
    'Topic does not exist',
  );
  await refused(
    service.subscribe({
      topicArn: topic,
      protocol: 'sqs',
      endpoint: q,
      attributes: { RawMessageDelivery: 'wrongvalue' },
    }),
    'InvalidParameterException',
    'Invalid parameter: Attributes Reason: RawMessageDelivery: Invalid value [wrongvalue]. Must be true or false.',
  );

  const arn = await service.subscribe({
    topicArn: topic,
    protocol: 'sqs',
    endpoint: q,
    attributes: { RawMessageDelivery: 'true' },
  });
  const again = (attributes?: Record<string, string>) =>
    service.subscribe({
      topicArn: topic,
      protocol: 'sqs',
      endpoint: q,
      ...(attributes && { attributes }),
    });
  assert.equal(await again({ RawMessageDelivery: 'true' }), arn);
  assert.equal(
    await again({ RawMessageDelivery: 'true', FilterPolicyScope: 'MessageAttributes' }),
    arn,
  );
  assert.equal(await again(), arn);
  assert.equal(await again({}), arn);
  await refused(
    again({ RawMessageDelivery: 'false', FilterPolicyScope: 'MessageBody' }),
    'InvalidParameterException',
    'Invalid parameter: Attributes Reason: Subscription already exists with different attributes',
  );
  assert.equal((await service.listSubscriptionsByTopic(topic)).items.length, 1);
});

test('subscription attributes: defaults, filter policies, redrive policies, errors', async (t) => {
  const { service, queues } = createTestSns(t);
  const topic = await service.createTopic({ name: 'sub-attrs' });
  const q = queueArn('q');
  queues.queues.add(q);
  const arn = await service.subscribe({ topicArn: topic, protocol: 'sqs', endpoint: q });
  assert.deepEqual(await service.getSubscriptionAttributes(arn), {
    ConfirmationWasAuthenticated: 'true',
    Endpoint: q,
    Owner: CTX.accountId,
    PendingConfirmation: 'false',
    Protocol: 'sqs',
    RawMessageDelivery: 'false',
    SubscriptionArn: arn,
    TopicArn: topic,
  });
  // A scope alone is not shown; it appears with a policy.
  await service.setSubscriptionAttributes(arn, 'FilterPolicyScope', 'MessageBody');
  assert.equal((await service.getSubscriptionAttributes(arn)).FilterPolicyScope, undefined);
  await service.setSubscriptionAttributes(
    arn,
    'FilterPolicy',
    '{"object":{"key":[{"prefix":"auto-"}]}}',
  );
  const withPolicy = await service.getSubscriptionAttributes(arn);
  assert.equal(withPolicy.FilterPolicyScope, 'MessageBody');
  assert.equal(withPolicy.FilterPolicy, '{"object":{"key":[{"prefix":"auto-"}]}}');
  await refused(
    service.setSubscriptionAttributes(arn, 'FilterPolicyScope', 'MessageAttributes'),
    'InvalidParameterException',
    'Invalid parameter: Filter policy scope MessageAttributes does not support nested filter policy',
  );
  await refused(
    service.setSubscriptionAttributes(arn, 'FilterPolicyScope', 'RandomValue'),
    'InvalidParameterException',
    'Invalid parameter: FilterPolicyScope: Invalid value [RandomValue]. Please use either MessageBody or MessageAttributes',
  );
  await refused(
    service.setSubscriptionAttributes(arn, 'FilterPolicy', '{"key":[{"exists":"no"}]}'),
    'InvalidParameterException',
    'Invalid parameter: FilterPolicy: exists match pattern must be either true or false.',
  );
  await service.setSubscriptionAttributes(arn, 'FilterPolicy', '');
  assert.equal((await service.getSubscriptionAttributes(arn)).FilterPolicy, undefined);

  await refused(
    service.setSubscriptionAttributes(arn, 'RawMessageDelivery', 'test-ValUe'),
    'InvalidParameterException',
    'Invalid parameter: RawMessageDelivery: Invalid value [test-ValUe]. Must be true or false.',
  );
  await refused(
    service.setSubscriptionAttributes(arn, 'RedrivePolicy', '{"deadLetterTargetArn":"not-an-arn"}'),
    'InvalidParameterException',
    'Invalid parameter: RedrivePolicy: deadLetterTargetArn is an invalid arn',
  );
  await service.setSubscriptionAttributes(
    arn,
    'RedrivePolicy',
    JSON.stringify({ deadLetterTargetArn: queueArn('dlq') }),
  );
  assert.equal(
    (await service.getSubscriptionAttributes(arn)).RedrivePolicy,
    `{"deadLetterTargetArn":"${queueArn('dlq')}"}`,
  );
  await refused(
    service.setSubscriptionAttributes(arn, 'FakeAttribute', 'x'),
    'InvalidParameterException',
    'Invalid parameter: AttributeName',
  );

  const missing = `${topic}:0b5b4a8c-3c11-4a57-9c2c-2c0b0f0e5a11`;
  await refused(
    service.getSubscriptionAttributes(missing),
    'NotFoundException',
    'Subscription does not exist',
  );
  await refused(
    service.setSubscriptionAttributes(missing, 'RawMessageDelivery', 'true'),
    'NotFoundException',
    'Subscription does not exist',
  );
  await refused(
    service.unsubscribe('x'),
    'InvalidParameterException',
    'Invalid parameter: SubscriptionArn Reason: An ARN must have at least 6 elements, not 1',
  );
  await refused(
    service.unsubscribe(topic),
    'InvalidParameterException',
    'Invalid parameter: SubscriptionId',
  );
  await refused(
    service.unsubscribe(''),
    'InvalidParameterException',
    'Invalid parameter: SubscriptionArn Reason: no value for required parameter',
  );
  await service.unsubscribe(arn);
  await service.unsubscribe(arn);
  assert.deepEqual(await service.listSubscriptions(), { items: [] });
});
