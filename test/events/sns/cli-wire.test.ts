import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { aws, awsCliMissing } from '../../helpers/aws-cli.js';
import { CTX, TOPIC_PREFIX, functionArn, queueArn, startSnsServer } from './helpers.js';

function json(stdout: string): Record<string, unknown> {
  return JSON.parse(stdout) as Record<string, unknown>;
}

describe('SNS through the AWS CLI v2', { skip: awsCliMissing }, () => {
  test('create-topic, subscribe, publish, publish-batch, list-*, unsubscribe, delete-topic', async (t) => {
    const { url, service, lambda, queues } = await startSnsServer(t);
    const sns = async (...args: string[]) => {
      const result = await aws(url, ['sns', ...args]);
      assert.equal(result.code, 0, result.stderr);
      return result.stdout === '' ? {} : json(result.stdout);
    };
    const fn = functionArn('cli-handler');
    const q = queueArn('cli-inbox');
    lambda.functions.add(fn);
    queues.queues.add(q);

    const created = await sns(
      'create-topic',
      '--name',
      'cli-topic',
      '--attributes',
      'DisplayName=From CLI',
      '--tags',
      'Key=team,Value=payments',
    );
    const topic = `${TOPIC_PREFIX}cli-topic`;
    assert.deepEqual(created, { TopicArn: topic });
    const attributes = (await sns('get-topic-attributes', '--topic-arn', topic))
      .Attributes as Record<string, string>;
    assert.equal(attributes.DisplayName, 'From CLI');
    assert.equal(attributes.Owner, CTX.accountId);

    const toQueue = await sns(
      'subscribe',
      '--topic-arn',
      topic,
      '--protocol',
      'sqs',
      '--notification-endpoint',
      q,
      '--attributes',
      '{"RawMessageDelivery":"true","FilterPolicy":"{\\"kind\\":[\\"order\\"]}"}',
      '--return-subscription-arn',
    );
    const queueSubscription = String(toQueue.SubscriptionArn);
    assert.match(queueSubscription, new RegExp(`^${topic}:[0-9a-f-]{36}$`));
    const toLambda = await sns(
      'subscribe',
      '--topic-arn',
      topic,
      '--protocol',
      'lambda',
      '--notification-endpoint',
      fn,
    );
    const subscriptionAttributes = (
      await sns('get-subscription-attributes', '--subscription-arn', queueSubscription)
    ).Attributes as Record<string, string>;
    assert.equal(subscriptionAttributes.RawMessageDelivery, 'true');
    assert.equal(subscriptionAttributes.FilterPolicy, '{"kind":["order"]}');

    const published = await sns(
      'publish',
      '--topic-arn',
      topic,
      '--message',
      'order 7 placed',
      '--subject',
      'orders',
      '--message-attributes',
      '{"kind":{"DataType":"String","StringValue":"order"},"blob":{"DataType":"Binary","BinaryValue":"aGk="},"ids":{"DataType":"String.Array","StringValue":"[7]"}}',
    );
    assert.match(String(published.MessageId), /^[0-9a-f-]{36}$/);
    const batch = await sns(
      'publish-batch',
      '--topic-arn',
      topic,
      '--publish-batch-request-entries',
      'Id=first,Message=one',
      'Id=second,Message=two,Subject=S',
    );
    assert.deepEqual(
      (batch.Successful as { Id: string }[]).map((s) => s.Id),
      ['first', 'second'],
    );
    assert.deepEqual(batch.Failed, []);
    await service.idle();

    const messages = lambda.invocations.map(
      (i) => (i.event.Records as { Sns: Record<string, unknown> }[])[0]?.Sns,
    );
    assert.deepEqual(
      messages.map((m) => m?.Message),
      ['order 7 placed', 'one', 'two'],
    );
    assert.equal(messages[0]?.MessageId, published.MessageId);
    assert.deepEqual(messages[0]?.MessageAttributes, {
      kind: { Type: 'String', Value: 'order' },
      blob: { Type: 'Binary', Value: 'aGk=' },
      ids: { Type: 'String.Array', Value: '[7]' },
    });
    assert.deepEqual(queues.sent, [
      {
        queueArn: q,
        body: 'order 7 placed',
        attributes: {
          kind: { DataType: 'String', StringValue: 'order' },
          ids: { DataType: 'String', StringValue: '[7]' },
        },
      },
    ]);

    const topics = (await sns('list-topics')).Topics as { TopicArn: string }[];
    assert.deepEqual(topics, [{ TopicArn: topic }]);
    const all = (await sns('list-subscriptions')).Subscriptions as { SubscriptionArn: string }[];
    assert.equal(all.length, 2);
    const byTopic = (await sns('list-subscriptions-by-topic', '--topic-arn', topic))
      .Subscriptions as { Protocol: string; Endpoint: string }[];
    assert.deepEqual(byTopic.map((s) => [s.Protocol, s.Endpoint]).sort(), [
      ['lambda', fn],
      ['sqs', q],
    ]);

    await sns('unsubscribe', '--subscription-arn', String(toLambda.SubscriptionArn));
    assert.equal(
      ((await sns('list-subscriptions-by-topic', '--topic-arn', topic)).Subscriptions as unknown[])
        .length,
      1,
    );
    await sns('delete-topic', '--topic-arn', topic);
    assert.deepEqual((await sns('list-topics')).Topics, []);
  });

  test('errors come back with SNS codes', async (t) => {
    const { url } = await startSnsServer(t);
    const missing = await aws(url, [
      'sns',
      'publish',
      '--topic-arn',
      `${TOPIC_PREFIX}missing`,
      '--message',
      'm',
    ]);
    assert.equal(missing.code, 254);
    assert.match(
      missing.stderr,
      /An error occurred \(NotFound\) when calling the Publish operation(?: \(reached max retries: \d+\))?: Topic does not exist/,
    );
    const badName = await aws(url, ['sns', 'create-topic', '--name', 'bad name']);
    assert.equal(badName.code, 254);
    assert.match(
      badName.stderr,
      /An error occurred \(InvalidParameter\) when calling the CreateTopic operation(?: \(reached max retries: \d+\))?: Invalid parameter: Topic Name/,
    );
    const badAttribute = await aws(url, [
      'sns',
      'publish',
      '--topic-arn',
      `${TOPIC_PREFIX}missing`,
      '--message',
      'm',
      '--message-attributes',
      '{"a":{"DataType":"Colour","StringValue":"red"}}',
    ]);
    assert.equal(badAttribute.code, 254);
    assert.match(badAttribute.stderr, /\(ParameterValueInvalid\).*supported type prefixes/);
  });
});
