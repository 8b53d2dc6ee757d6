import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { test } from 'node:test';
import {
  CreateTopicCommand,
  DeleteTopicCommand,
  GetSubscriptionAttributesCommand,
  GetTopicAttributesCommand,
  ListSubscriptionsByTopicCommand,
  ListSubscriptionsCommand,
  ListTopicsCommand,
  PublishBatchCommand,
  PublishCommand,
  SetSubscriptionAttributesCommand,
  SetTopicAttributesCommand,
  SubscribeCommand,
  UnsubscribeCommand,
  paginateListTopics,
} from '@aws-sdk/client-sns';
import { createSnsHttpHandler, isSnsQueryBody } from '../../../src/api/sns/index.js';
import {
  CTX,
  TOPIC_PREFIX,
  createTestSns,
  functionArn,
  queueArn,
  rejection,
  startSnsServer,
} from './helpers.js';

test('topics through @aws-sdk/client-sns: create, attributes, list with paging, delete', async (t) => {
  const { sns } = await startSnsServer(t);
  const created = await sns.send(
    new CreateTopicCommand({
      Name: 'orders',
      Attributes: { DisplayName: 'Orders' },
      Tags: [{ Key: 'team', Value: 'payments' }],
    }),
  );
  assert.equal(created.TopicArn, `${TOPIC_PREFIX}orders`);
  assert.match(created.$metadata.requestId ?? '', /^[0-9a-f-]{36}$/);
  const again = await sns.send(new CreateTopicCommand({ Name: 'orders' }));
  assert.equal(again.TopicArn, created.TopicArn);

  await sns.send(
    new SetTopicAttributesCommand({
      TopicArn: created.TopicArn,
      AttributeName: 'DisplayName',
      AttributeValue: 'Renamed',
    }),
  );
  const { Attributes } = await sns.send(
    new GetTopicAttributesCommand({ TopicArn: created.TopicArn }),
  );
  assert.equal(Attributes?.DisplayName, 'Renamed');
  assert.equal(Attributes.Owner, CTX.accountId);
  assert.equal(Attributes.SubscriptionsConfirmed, '0');
  assert.ok(JSON.parse(Attributes.Policy ?? 'null'));

  for (let i = 0; i < 120; i++) {
    await sns.send(new CreateTopicCommand({ Name: `bulk-${String(i).padStart(3, '0')}` }));
  }
  const first = await sns.send(new ListTopicsCommand({}));
  assert.equal(first.Topics?.length, 100);
  assert.ok(first.NextToken);
  const all: string[] = [];
  for await (const page of paginateListTopics({ client: sns }, {})) {
    all.push(...(page.Topics ?? []).map((topic) => topic.TopicArn ?? ''));
  }
  assert.equal(all.length, 121);
  assert.ok(all.includes(`${TOPIC_PREFIX}orders`));

  await sns.send(new DeleteTopicCommand({ TopicArn: created.TopicArn }));
  await sns.send(new DeleteTopicCommand({ TopicArn: created.TopicArn }));
  const gone = await rejection(
    sns.send(new GetTopicAttributesCommand({ TopicArn: created.TopicArn })),
  );
  assert.equal(gone.name, 'NotFoundException');
  assert.equal(gone.message, 'Topic does not exist');
  const metadata = gone.$metadata as { httpStatusCode: number; requestId: string };
  assert.equal(metadata.httpStatusCode, 404);
  assert.match(metadata.requestId, /^[0-9a-f-]{36}$/);
});

test('subscriptions and publishing through the SDK reach the Lambda and queue targets', async (t) => {
  const { sns, service, lambda, queues } = await startSnsServer(t);
  const fn = functionArn('handler');
  const q = queueArn('inbox');
  lambda.functions.add(fn);
  queues.queues.add(q);
  const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'events' }));
  const toLambda = await sns.send(
    new SubscribeCommand({
      TopicArn,
      Protocol: 'lambda',
      Endpoint: fn,
      ReturnSubscriptionArn: true,
    }),
  );
  const toQueue = await sns.send(
    new SubscribeCommand({
      TopicArn,
      Protocol: 'sqs',
      Endpoint: q,
      Attributes: { RawMessageDelivery: 'true', FilterPolicy: '{"kind":["order"]}' },
    }),
  );
  assert.match(toLambda.SubscriptionArn ?? '', new RegExp(`^${TopicArn ?? ''}:[0-9a-f-]{36}$`));

  const listed = await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn }));
  assert.deepEqual(
    listed.Subscriptions?.map((s) => [s.Protocol, s.Endpoint, s.Owner, s.TopicArn]).sort(),
    [
      ['lambda', fn, CTX.accountId, TopicArn],
      ['sqs', q, CTX.accountId, TopicArn],
    ],
  );
  assert.equal((await sns.send(new ListSubscriptionsCommand({}))).Subscriptions?.length, 2);
  const attrs = await sns.send(
    new GetSubscriptionAttributesCommand({ SubscriptionArn: toQueue.SubscriptionArn }),
  );
  assert.equal(attrs.Attributes?.RawMessageDelivery, 'true');
  assert.equal(attrs.Attributes.FilterPolicy, '{"kind":["order"]}');
  assert.equal(attrs.Attributes.FilterPolicyScope, 'MessageAttributes');

  const published = await sns.send(
    new PublishCommand({
      TopicArn,
      Message: 'hello <&> "world"',
      Subject: 'greeting',
      MessageAttributes: {
        kind: { DataType: 'String', StringValue: 'order' },
        amount: { DataType: 'Number', StringValue: '12.5' },
        tags: { DataType: 'String.Array', StringValue: '["a","b"]' },
        blob: { DataType: 'Binary', BinaryValue: Uint8Array.from([2, 3, 4]) },
      },
    }),
  );
  await sns.send(new PublishCommand({ TopicArn, Message: 'not for the queue' }));
  await service.idle();

  assert.equal(lambda.invocations.length, 2);
  const sns0 = (lambda.invocations[0]?.event.Records as { Sns: Record<string, unknown> }[])[0]?.Sns;
  assert.equal(sns0?.MessageId, published.MessageId);
  assert.equal(sns0?.Message, 'hello <&> "world"');
  assert.equal(sns0.Subject, 'greeting');
  assert.deepEqual(sns0.MessageAttributes, {
    kind: { Type: 'String', Value: 'order' },
    amount: { Type: 'Number', Value: '12.5' },
    tags: { Type: 'String.Array', Value: '["a","b"]' },
    blob: { Type: 'Binary', Value: 'AgME' },
  });
  assert.deepEqual(
    queues.sent.map((m) => m.body),
    ['hello <&> "world"'],
  );

  await sns.send(
    new SetSubscriptionAttributesCommand({
      SubscriptionArn: toQueue.SubscriptionArn,
      AttributeName: 'FilterPolicy',
      AttributeValue: '',
    }),
  );
  await sns.send(new UnsubscribeCommand({ SubscriptionArn: toLambda.SubscriptionArn }));
  await sns.send(new PublishCommand({ TopicArn, Message: 'after' }));
  await service.idle();
  assert.equal(lambda.invocations.length, 2);
  assert.deepEqual(queues.sent.at(-1)?.body, 'after');
});

test('PublishBatch through the SDK: Successful and Failed lists, and batch errors', async (t) => {
  const { sns, service, queues } = await startSnsServer(t);
  const q = queueArn('q');
  queues.queues.add(q);
  const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'batch' }));
  await sns.send(new SubscribeCommand({ TopicArn, Protocol: 'sqs', Endpoint: q }));
  const result = await sns.send(
    new PublishBatchCommand({
      TopicArn,
      PublishBatchRequestEntries: [
        {
          Id: 'a',
          Message: 'one',
          MessageAttributes: { n: { DataType: 'Number', StringValue: '1' } },
        },
        { Id: 'b', Message: 'two', Subject: 'S' },
        { Id: 'c', Message: 'three', Subject: '' },
      ],
    }),
  );
  assert.deepEqual(
    result.Successful?.map((s) => s.Id),
    ['a', 'b'],
  );
  assert.ok(result.Successful.every((s) => /^[0-9a-f-]{36}$/.test(s.MessageId ?? '')));
  assert.deepEqual(result.Failed, [
    { Id: 'c', Code: 'InvalidParameter', Message: 'Invalid parameter: Subject', SenderFault: true },
  ]);
  await service.idle();
  assert.deepEqual(
    queues.sent.map((m) => (JSON.parse(m.body) as { Message: string }).Message),
    ['one', 'two'],
  );

  const tooMany = await rejection(
    sns.send(
      new PublishBatchCommand({
        TopicArn,
        PublishBatchRequestEntries: Array.from({ length: 11 }, (_, i) => ({
          Id: String(i),
          Message: 'm',
        })),
      }),
    ),
  );
  assert.equal(tooMany.name, 'TooManyEntriesInBatchRequestException');
  const same = await rejection(
    sns.send(
      new PublishBatchCommand({
        TopicArn,
        PublishBatchRequestEntries: [
          { Id: 'x', Message: 'm' },
          { Id: 'x', Message: 'n' },
        ],
      }),
    ),
  );
  assert.equal(same.name, 'BatchEntryIdsNotDistinctException');
  assert.equal(same.message, 'Two or more batch entries in the request have the same Id.');
});

test('errors carry SNS codes, the Sender fault and the request id', async (t) => {
  const { sns, url } = await startSnsServer(t);
  const invalid = await rejection(sns.send(new PublishCommand({ TopicArn: 'bad', Message: 'm' })));
  assert.equal(invalid.name, 'InvalidParameterException');
  assert.equal(
    invalid.message,
    'Invalid parameter: TopicArn Reason: An ARN must have at least 6 elements, not 1',
  );
  assert.equal((invalid.$metadata as { httpStatusCode: number }).httpStatusCode, 400);
  assert.equal(invalid.$fault, 'client');

  const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'errs' }));
  const attr = await rejection(
    sns.send(
      new PublishCommand({
        TopicArn,
        Message: 'm',
        MessageAttributes: { a: { DataType: 'Text', StringValue: 'x' } },
      }),
    ),
  );
  assert.equal(attr.name, 'InvalidParameterValueException');
  const validation = await rejection(
    sns.send(
      new PublishCommand({
        TopicArn,
        Message: 'm',
        MessageAttributes: { a: { DataType: undefined, StringValue: 'x' } },
      }),
    ),
  );
  assert.equal(validation.name, 'ValidationError');
  assert.match(validation.message, /Value null at 'messageAttributes\.a\.member\.dataType'/);

  // The raw exchange: the XML body and the header carry the same request id.
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: `Action=GetTopicAttributes&Version=2010-03-31&TopicArn=${encodeURIComponent(`${TOPIC_PREFIX}missing`)}`,
  });
  const xml = await response.text();
  const requestId = response.headers.get('x-amzn-requestid');
  assert.equal(response.status, 404);
  assert.equal(response.headers.get('content-type'), 'text/xml');
  assert.equal(
    xml,
    `<ErrorResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><Error><Type>Sender</Type><Code>NotFound</Code><Message>Topic does not exist</Message></Error><RequestId>${requestId ?? ''}</RequestId></ErrorResponse>`,
  );
  const ok = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: 'Action=ListTopics&Version=2010-03-31',
  });
  const okXml = await ok.text();
  assert.match(
    okXml,
    /^<ListTopicsResponse xmlns="http:\/\/sns\.amazonaws\.com\/doc\/2010-03-31\/"><ListTopicsResult><Topics><member><TopicArn>arn:aws:sns:us-east-1:123456789012:errs<\/TopicArn><\/member><\/Topics><\/ListTopicsResult><ResponseMetadata><RequestId>([0-9a-f-]{36})<\/RequestId><\/ResponseMetadata><\/ListTopicsResponse>$/,
  );
  assert.ok(okXml.includes(`<RequestId>${ok.headers.get('x-amzn-requestid') ?? ''}</RequestId>`));

  const unknown = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: 'Action=ConfirmSubscription&Version=2010-03-31',
  });
  assert.equal(unknown.status, 400);
  assert.match(
    await unknown.text(),
    /<Code>InvalidAction<\/Code><Message>The action ConfirmSubscription is not valid for this endpoint\.<\/Message>/,
  );
});

test('matches() claims requests signed for sns only; isSnsQueryBody recognises unsigned ones', (t) => {
  const { service } = createTestSns(t);
  const handler = createSnsHttpHandler(service, CTX);
  const request = (headers: Record<string, string>, url = '/') =>
    ({ headers, url, method: 'POST' }) as unknown as IncomingMessage;
  const signed = (scope: string) => ({
    authorization: `AWS4-HMAC-SHA256 Credential=test/20250101/us-east-1/${scope}/aws4_request, SignedHeaders=host, Signature=abc`,
  });
  assert.equal(handler.matches(request(signed('sns'))), true);
  assert.equal(handler.matches(request(signed('sqs'))), false);
  assert.equal(
    handler.matches(request({ 'x-amz-target': 'AmazonSQS.SendMessage', ...signed('sqs') })),
    false,
  );
  assert.equal(handler.matches(request({})), false);
  assert.equal(handler.matches(request({}, '/?Action=ListTopics&Version=2010-03-31')), true);
  assert.equal(handler.matches(request({}, '/?Action=ListQueues&Version=2012-11-05')), false);
  assert.equal(
    handler.matches(
      request(
        {},
        '/?Action=ListTopics&X-Amz-Credential=test%2F20250101%2Fus-east-1%2Fsns%2Faws4_request',
      ),
    ),
    true,
  );
  assert.equal(isSnsQueryBody(Buffer.from('Action=Publish&Version=2010-03-31&Message=x')), true);
  assert.equal(isSnsQueryBody(Buffer.from('Action=SendMessage&Version=2012-11-05')), false);
  assert.equal(isSnsQueryBody(Buffer.from('{"QueueUrl":"x"}')), false);
});
