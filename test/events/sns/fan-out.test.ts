import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CTX, TOPIC_PREFIX, createTestSns, functionArn, queueArn, rejection } from './helpers.js';

const TIMESTAMP = '2025-01-01T00:00:00.000Z';
const CERT_URL = 'https://sns.us-east-1.amazonaws.com/SimpleNotificationService-fogbank.pem';
const unsubscribeUrl = (arn: string) =>
  `https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=${arn}`;

test('a Lambda subscription is invoked asynchronously with the exact SNS event', async (t) => {
  const { service, lambda } = createTestSns(t);
  const fn = functionArn('alerts-handler');
  lambda.functions.add(fn);
  const topic = await service.createTopic({ name: 'alerts' });
  const subscription = await service.subscribe({
    topicArn: topic,
    protocol: 'lambda',
    endpoint: fn,
  });
  assert.match(subscription, new RegExp(`^${topic}:[0-9a-f-]{36}$`));

  const messageId = await service.publish({
    topicArn: topic,
    message: 'disk 91% full',
    subject: 'disk',
    messageAttributes: {
      severity: { DataType: 'String', StringValue: 'high' },
      percent: { DataType: 'Number', StringValue: '91' },
      hosts: { DataType: 'String.Array', StringValue: '["a","b"]' },
      raw: { DataType: 'Binary', BinaryValue: Buffer.from([2, 3, 4]) },
    },
  });
  await service.idle();

  assert.equal(lambda.invocations.length, 1);
  const [invocation] = lambda.invocations;
  assert.equal(invocation?.functionArn, fn);
  const record = (invocation.event.Records as Record<string, unknown>[])[0] as {
    Sns: Record<string, unknown>;
  };
  assert.match(String(record.Sns.Signature), /^[A-Za-z0-9+/]+=*$/);
  assert.deepEqual(invocation.event, {
    Records: [
      {
        EventSource: 'aws:sns',
        EventVersion: '1.0',
        EventSubscriptionArn: subscription,
        Sns: {
          Type: 'Notification',
          MessageId: messageId,
          TopicArn: topic,
          Subject: 'disk',
          Message: 'disk 91% full',
          Timestamp: TIMESTAMP,
          SignatureVersion: '1',
          Signature: record.Sns.Signature,
          SigningCertUrl: CERT_URL,
          UnsubscribeUrl: unsubscribeUrl(subscription),
          MessageAttributes: {
            severity: { Type: 'String', Value: 'high' },
            percent: { Type: 'Number', Value: '91' },
            hosts: { Type: 'String.Array', Value: '["a","b"]' },
            raw: { Type: 'Binary', Value: 'AgME' },
          },
        },
      },
    ],
  });
  // Key order as AWS writes it.
  assert.deepEqual(Object.keys(record.Sns), [
    'Type',
    'MessageId',
    'TopicArn',
    'Subject',
    'Message',
    'Timestamp',
    'SignatureVersion',
    'Signature',
    'SigningCertUrl',
    'UnsubscribeUrl',
    'MessageAttributes',
  ]);
});

test('without a subject the Lambda event has Subject null and empty MessageAttributes', async (t) => {
  const { service, lambda } = createTestSns(t);
  const fn = functionArn('f');
  lambda.functions.add(fn);
  const topic = await service.createTopic({ name: 't' });
  await service.subscribe({ topicArn: topic, protocol: 'lambda', endpoint: fn });
  await service.publish({ topicArn: topic, message: '{"raise_error": 1}' });
  await service.idle();
  const sns = (lambda.invocations[0]?.event.Records as { Sns: Record<string, unknown> }[])[0]?.Sns;
  assert.equal(sns?.Subject, null);
  assert.deepEqual(sns.MessageAttributes, {});
  assert.equal(sns.Message, '{"raise_error": 1}');
});

test('an SQS subscription receives the JSON envelope, laid out as SNS writes it', async (t) => {
  const { service, queues } = createTestSns(t);
  const q = queueArn('inbox');
  queues.queues.add(q);
  const topic = await service.createTopic({ name: 'orders' });
  const subscription = await service.subscribe({ topicArn: topic, protocol: 'sqs', endpoint: q });
  const plain = await service.publish({ topicArn: topic, message: 'Test msg' });
  const withAttributes = await service.publish({
    topicArn: topic,
    message: 'with "quotes"\nand a newline',
    subject: 'Hi',
    messageAttributes: {
      attr1: { DataType: 'Number', StringValue: '99.12' },
      bin: { DataType: 'Binary', BinaryValue: Buffer.from([2, 3, 4]) },
    },
  });
  await service.idle();
  assert.equal(queues.sent.length, 2);
  const [first, second] = queues.sent;
  assert.equal(first?.queueArn, q);
  assert.equal(first.attributes, undefined);
  const signature = (body: string | undefined) =>
    (JSON.parse(body ?? '{}') as { Signature: string }).Signature;
  assert.equal(
    first.body,
    [
      '{',
      '  "Type" : "Notification",',
      `  "MessageId" : "${plain}",`,
      `  "TopicArn" : "${topic}",`,
      '  "Message" : "Test msg",',
      `  "Timestamp" : "${TIMESTAMP}",`,
      '  "SignatureVersion" : "1",',
      `  "Signature" : "${signature(first.body)}",`,
      `  "SigningCertURL" : "${CERT_URL}",`,
      `  "UnsubscribeURL" : "${unsubscribeUrl(subscription)}"`,
      '}',
    ].join('\n'),
  );
  assert.deepEqual(JSON.parse(second?.body ?? ''), {
    Type: 'Notification',
    MessageId: withAttributes,
    TopicArn: topic,
    Subject: 'Hi',
    Message: 'with "quotes"\nand a newline',
    Timestamp: TIMESTAMP,
    SignatureVersion: '1',
    Signature: signature(second?.body),
    SigningCertURL: CERT_URL,
    UnsubscribeURL: unsubscribeUrl(subscription),
    MessageAttributes: {
      attr1: { Type: 'Number', Value: '99.12' },
      bin: { Type: 'Binary', Value: 'AgME' },
    },
  });
  assert.match(
    second?.body ?? '',
    /\n {2}"MessageAttributes" : \{\n {4}"attr1" : \{"Type":"Number","Value":"99.12"\},\n/,
  );
});

test('raw message delivery sends the message as is, with its attributes', async (t) => {
  const { service, queues, warnings } = createTestSns(t);
  const q = queueArn('raw');
  queues.queues.add(q);
  const topic = await service.createTopic({ name: 'raw-topic' });
  await service.subscribe({
    topicArn: topic,
    protocol: 'sqs',
    endpoint: q,
    attributes: { RawMessageDelivery: 'true' },
  });
  await service.publish({ topicArn: topic, message: 'plain' });
  await service.publish({
    topicArn: topic,
    message: 'Test msg',
    messageAttributes: {
      attr1: { DataType: 'Number', StringValue: '99.12' },
      name: { DataType: 'String', StringValue: 'x' },
      list: { DataType: 'String.Array', StringValue: '["a"]' },
      blob: { DataType: 'Binary', BinaryValue: Buffer.from('b') },
    },
  });
  await service.idle();
  assert.deepEqual(queues.sent, [
    { queueArn: q, body: 'plain', attributes: undefined },
    {
      queueArn: q,
      body: 'Test msg',
      attributes: {
        attr1: { DataType: 'Number', StringValue: '99.12' },
        name: { DataType: 'String', StringValue: 'x' },
        list: { DataType: 'String', StringValue: '["a"]' },
      },
    },
  ]);
  assert.equal(warnings.length, 1);
  assert.match(warnings[0] ?? '', /left out binary attribute\(s\) blob/);
});

test('a raw delivery with more than 10 attributes is a client-side error: dropped, not retried', async (t) => {
  const { service, queues, warnings } = createTestSns(t);
  const q = queueArn('raw');
  queues.queues.add(q);
  const topic = await service.createTopic({ name: 'many' });
  await service.subscribe({
    topicArn: topic,
    protocol: 'sqs',
    endpoint: q,
    attributes: { RawMessageDelivery: 'true' },
  });
  const messageAttributes = Object.fromEntries(
    Array.from({ length: 11 }, (_, i) => [
      `a${String(i)}`,
      { DataType: 'String', StringValue: 'v' },
    ]),
  );
  await service.publish({ topicArn: topic, message: 'm', messageAttributes });
  await service.idle();
  assert.equal(queues.sent.length, 0);
  assert.match(warnings[0] ?? '', /after 1 attempt\(s\).*at most 10 message attributes/);
});

test('fan-out reaches every subscription whose filter policy matches', async (t) => {
  const { service, lambda, queues } = createTestSns(t);
  const [all, high, body, fn] = [
    queueArn('all'),
    queueArn('high'),
    queueArn('body'),
    functionArn('cheap'),
  ];
  for (const q of [all, high, body]) {
    queues.queues.add(q);
  }
  lambda.functions.add(fn);
  const topic = await service.createTopic({ name: 'events' });
  await service.subscribe({ topicArn: topic, protocol: 'sqs', endpoint: all });
  await service.subscribe({
    topicArn: topic,
    protocol: 'sqs',
    endpoint: high,
    attributes: { FilterPolicy: '{"severity":["high"]}' },
  });
  await service.subscribe({
    topicArn: topic,
    protocol: 'sqs',
    endpoint: body,
    attributes: {
      FilterPolicy: '{"order":{"total":[{"numeric":[">",100]}]}}',
      FilterPolicyScope: 'MessageBody',
      RawMessageDelivery: 'true',
    },
  });
  await service.subscribe({
    topicArn: topic,
    protocol: 'lambda',
    endpoint: fn,
    attributes: { FilterPolicy: '{"price":[{"numeric":["<",10]}],"region":[{"prefix":"eu-"}]}' },
  });

  const attrs = (severity: string, price: string, region: string) => ({
    severity: { DataType: 'String', StringValue: severity },
    price: { DataType: 'Number', StringValue: price },
    region: { DataType: 'String', StringValue: region },
  });
  await service.publish({
    topicArn: topic,
    message: 'm1',
    messageAttributes: attrs('high', '50', 'us-east-1'),
  });
  await service.publish({
    topicArn: topic,
    message: 'm2',
    messageAttributes: attrs('low', '5', 'eu-west-1'),
  });
  await service.publish({ topicArn: topic, message: '{"order":{"total":150}}' });
  await service.publish({ topicArn: topic, message: '{"order":{"total":50}}' });
  await service.idle();

  const to = (q: string) =>
    queues.sent
      .filter((m) => m.queueArn === q)
      .map((m) => (q === body ? m.body : (JSON.parse(m.body) as { Message: string }).Message));
  assert.deepEqual(to(all), ['m1', 'm2', '{"order":{"total":150}}', '{"order":{"total":50}}']);
  assert.deepEqual(to(high), ['m1']);
  assert.deepEqual(to(body), ['{"order":{"total":150}}']);
  assert.deepEqual(
    lambda.invocations.map(
      (i) => (i.event.Records as { Sns: { Message: string } }[])[0]?.Sns.Message,
    ),
    ['m2'],
  );
});

test('MessageStructure json gives each protocol its own message, and no attributes', async (t) => {
  const { service, lambda, queues } = createTestSns(t);
  const [q, other, fn] = [queueArn('q'), queueArn('other'), functionArn('f')];
  queues.queues.add(q);
  queues.queues.add(other);
  lambda.functions.add(fn);
  const topic = await service.createTopic({ name: 'structured' });
  await service.subscribe({ topicArn: topic, protocol: 'sqs', endpoint: q });
  await service.subscribe({ topicArn: topic, protocol: 'lambda', endpoint: fn });
  await service.publish({
    topicArn: topic,
    messageStructure: 'json',
    message: JSON.stringify({
      default: 'default field',
      sqs: '{"field": "value"}',
      lambda: 'for lambda',
    }),
    messageAttributes: { a: { DataType: 'String', StringValue: 'b' } },
  });
  await service.idle();
  const envelope = JSON.parse(queues.sent[0]?.body ?? '{}') as Record<string, unknown>;
  assert.equal(envelope.Message, '{"field": "value"}');
  assert.equal(envelope.MessageAttributes, undefined);
  const sns = (lambda.invocations[0]?.event.Records as { Sns: Record<string, unknown> }[])[0]?.Sns;
  assert.equal(sns?.Message, 'for lambda');
  assert.deepEqual(sns.MessageAttributes, {});

  const missing = await rejection(
    service.publish({ topicArn: topic, messageStructure: 'json', message: '{"sqs":"x"}' }),
  );
  assert.equal(
    missing.message,
    'Invalid parameter: Message Structure - No default entry in JSON message body',
  );
  const broken = await rejection(
    service.publish({ topicArn: topic, messageStructure: 'json', message: 'not json' }),
  );
  assert.equal(
    broken.message,
    'Invalid parameter: Message Structure - JSON message body failed to parse',
  );
});

test('publishToTopic (for Lambda destinations and DLQs) and topicExists', async (t) => {
  const { service, queues } = createTestSns(t);
  const q = queueArn('dlq-copy');
  queues.queues.add(q);
  const topic = await service.createTopic({ name: 'lambda-dlq' });
  await service.subscribe({ topicArn: topic, protocol: 'sqs', endpoint: q });
  assert.equal(await service.topicExists(topic), true);
  assert.equal(await service.topicExists(`${TOPIC_PREFIX}nope`), false);
  assert.equal(await service.topicExists('not an arn'), false);
  assert.equal(
    await service.topicExists(`arn:aws:sns:eu-west-1:${CTX.accountId}:lambda-dlq`),
    false,
  );

  const id = await service.publishToTopic(topic, '{"orderId":7}', {
    RequestID: { DataType: 'String', StringValue: 'req-1' },
    ErrorCode: { DataType: 'Number', StringValue: '200' },
    ErrorMessage: { DataType: 'String', StringValue: 'boom' },
  });
  await service.idle();
  const envelope = JSON.parse(queues.sent[0]?.body ?? '{}') as Record<string, unknown>;
  assert.equal(envelope.MessageId, id);
  assert.equal(envelope.Message, '{"orderId":7}');
  assert.deepEqual(envelope.MessageAttributes, {
    RequestID: { Type: 'String', Value: 'req-1' },
    ErrorCode: { Type: 'Number', Value: '200' },
    ErrorMessage: { Type: 'String', Value: 'boom' },
  });
  const missing = await rejection(service.publishToTopic(`${TOPIC_PREFIX}gone`, 'x'));
  assert.equal(missing.name, 'NotFoundException');
  assert.equal(missing.message, 'Topic does not exist');
});
