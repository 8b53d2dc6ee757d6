import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  ChangeMessageVisibilityBatchCommand,
  ChangeMessageVisibilityCommand,
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  DeleteMessageCommand,
  DeleteQueueCommand,
  EmptyBatchRequest,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ListDeadLetterSourceQueuesCommand,
  ListQueueTagsCommand,
  ListQueuesCommand,
  PurgeQueueCommand,
  QueueDoesNotExist,
  QueueNameExists,
  ReceiptHandleIsInvalid,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SetQueueAttributesCommand,
  TagQueueCommand,
  UntagQueueCommand,
} from '@aws-sdk/client-sqs';
import { CTX, rejection, startSqsServer } from './helpers.js';

test('the AWS SDK (JSON protocol) drives a queue through its whole life', async (t) => {
  const { sqs, url, clock } = await startSqsServer(t);
  const created = await sqs.send(
    new CreateQueueCommand({ QueueName: 'orders', Attributes: { VisibilityTimeout: '20' } }),
  );
  const queueUrl = `${url}/${CTX.accountId}/orders`;
  assert.equal(created.QueueUrl, queueUrl);
  assert.match(created.$metadata.requestId ?? '', /^[0-9a-f-]{36}$/);
  assert.equal(
    (await sqs.send(new GetQueueUrlCommand({ QueueName: 'orders' }))).QueueUrl,
    queueUrl,
  );
  assert.deepEqual((await sqs.send(new ListQueuesCommand({}))).QueueUrls, [queueUrl]);

  const sent = await sqs.send(
    new SendMessageCommand({
      QueueUrl: queueUrl,
      MessageBody: 'first',
      MessageAttributes: {
        attribName1: { DataType: 'String', StringValue: 'attribValue 1' },
        blob: { DataType: 'Binary', BinaryValue: new Uint8Array([1, 2, 3]) },
      },
      MessageSystemAttributes: {
        AWSTraceHeader: {
          DataType: 'String',
          StringValue: 'Root=1-5759e988-bd862e3fe1be46a994272793',
        },
      },
    }),
  );
  assert.ok(sent.MessageId);
  assert.equal(sent.MD5OfMessageBody, '8b04d5e3775d298e78455efc5ca404d5');
  assert.match(sent.MD5OfMessageAttributes ?? '', /^[0-9a-f]{32}$/);
  assert.match(sent.MD5OfMessageSystemAttributes ?? '', /^[0-9a-f]{32}$/);

  const batch = await sqs.send(
    new SendMessageBatchCommand({
      QueueUrl: queueUrl,
      Entries: [
        { Id: 'two', MessageBody: 'second' },
        { Id: 'three', MessageBody: 'third', DelaySeconds: 0 },
      ],
    }),
  );
  assert.deepEqual(
    batch.Successful?.map((s) => s.Id),
    ['two', 'three'],
  );
  assert.deepEqual(batch.Failed, []);

  const received = await sqs.send(
    new ReceiveMessageCommand({
      QueueUrl: queueUrl,
      MaxNumberOfMessages: 10,
      MessageSystemAttributeNames: ['All'],
      MessageAttributeNames: ['All'],
    }),
  );
  const messages = received.Messages ?? [];
  assert.deepEqual(
    messages.map((m) => m.Body),
    ['first', 'second', 'third'],
  );
  const first = messages[0];
  assert.ok(first?.ReceiptHandle);
  assert.equal(first.MessageId, sent.MessageId);
  assert.equal(first.MD5OfMessageAttributes, sent.MD5OfMessageAttributes);
  assert.deepEqual(first.MessageAttributes?.blob?.BinaryValue, new Uint8Array([1, 2, 3]));
  assert.equal(first.MessageAttributes.attribName1?.StringValue, 'attribValue 1');
  assert.equal(first.Attributes?.SenderId, 'AKIDTEST');
  assert.equal(first.Attributes.ApproximateReceiveCount, '1');
  assert.equal(first.Attributes.AWSTraceHeader, 'Root=1-5759e988-bd862e3fe1be46a994272793');

  const attributes = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['All'] }),
  );
  assert.equal(attributes.Attributes?.ApproximateNumberOfMessagesNotVisible, '3');
  assert.equal(attributes.Attributes.VisibilityTimeout, '20');
  assert.equal(attributes.Attributes.QueueArn, `arn:aws:sqs:us-east-1:${CTX.accountId}:orders`);

  await sqs.send(
    new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: first.ReceiptHandle }),
  );
  const [, second, third] = messages;
  assert.ok(second?.ReceiptHandle && third?.ReceiptHandle);
  await sqs.send(
    new ChangeMessageVisibilityCommand({
      QueueUrl: queueUrl,
      ReceiptHandle: second.ReceiptHandle,
      VisibilityTimeout: 0,
    }),
  );
  const changed = await sqs.send(
    new ChangeMessageVisibilityBatchCommand({
      QueueUrl: queueUrl,
      Entries: [
        { Id: 'a', ReceiptHandle: third.ReceiptHandle, VisibilityTimeout: 100 },
        { Id: 'b', ReceiptHandle: 'bogus', VisibilityTimeout: 100 },
      ],
    }),
  );
  assert.deepEqual(changed.Successful, [{ Id: 'a' }]);
  assert.deepEqual(
    changed.Failed?.map((f) => [f.Id, f.Code, f.SenderFault]),
    [['b', 'ReceiptHandleIsInvalid', true]],
  );
  const again = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl }));
  assert.equal(again.Messages?.[0]?.Body, 'second');
  const deleted = await sqs.send(
    new DeleteMessageBatchCommand({
      QueueUrl: queueUrl,
      Entries: [{ Id: 'x', ReceiptHandle: again.Messages[0].ReceiptHandle }],
    }),
  );
  assert.deepEqual(deleted.Successful, [{ Id: 'x' }]);

  await sqs.send(
    new SetQueueAttributesCommand({ QueueUrl: queueUrl, Attributes: { DelaySeconds: '3' } }),
  );
  await sqs.send(new TagQueueCommand({ QueueUrl: queueUrl, Tags: { team: 'lambda' } }));
  await sqs.send(new TagQueueCommand({ QueueUrl: queueUrl, Tags: { env: 'dev' } }));
  await sqs.send(new UntagQueueCommand({ QueueUrl: queueUrl, TagKeys: ['env'] }));
  assert.deepEqual((await sqs.send(new ListQueueTagsCommand({ QueueUrl: queueUrl }))).Tags, {
    team: 'lambda',
  });
  await sqs.send(new PurgeQueueCommand({ QueueUrl: queueUrl }));
  await clock.advance(100_000);
  assert.equal(
    (await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl }))).Messages,
    undefined,
  );
  await sqs.send(new DeleteQueueCommand({ QueueUrl: queueUrl }));
  assert.equal((await sqs.send(new ListQueuesCommand({}))).QueueUrls, undefined);
});

test('the SDK long-polls over HTTP and is woken by a send', async (t) => {
  const { sqs, url } = await startSqsServer(t);
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'wait' }));
  const polling = sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 20 }));
  await new Promise((resolve) => setTimeout(resolve, 50));
  await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'ping' }));
  const { Messages } = await polling;
  assert.equal(Messages?.[0]?.Body, 'ping');
  assert.equal(QueueUrl, `${url}/${CTX.accountId}/wait`);
});

test('a long poll whose client went away takes no message', async (t) => {
  const { sqs } = await startSqsServer(t);
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'gone' }));
  const controller = new AbortController();
  const abandoned = sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 20 }), {
    abortSignal: controller.signal,
  });
  await new Promise((resolve) => setTimeout(resolve, 50));
  controller.abort();
  await assert.rejects(abandoned);
  await new Promise((resolve) => setTimeout(resolve, 50));
  await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'for the next one' }));
  const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl }));
  assert.equal(Messages?.[0]?.Body, 'for the next one');
});

test('FIFO and dead-letter queues through the SDK', async (t) => {
  const { sqs } = await startSqsServer(t);
  const dlq = await sqs.send(
    new CreateQueueCommand({ QueueName: 'dead.fifo', Attributes: { FifoQueue: 'true' } }),
  );
  const dlqArn = (
    await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: dlq.QueueUrl, AttributeNames: ['QueueArn'] }),
    )
  ).Attributes?.QueueArn;
  const { QueueUrl } = await sqs.send(
    new CreateQueueCommand({
      QueueName: 'jobs.fifo',
      Attributes: {
        FifoQueue: 'true',
        ContentBasedDeduplication: 'true',
        RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: 1 }),
      },
    }),
  );
  const sent = await sqs.send(
    new SendMessageCommand({ QueueUrl, MessageBody: 'job', MessageGroupId: 'g' }),
  );
  assert.match(sent.SequenceNumber ?? '', /^\d{20}$/);
  const sources = await sqs.send(new ListDeadLetterSourceQueuesCommand({ QueueUrl: dlq.QueueUrl }));
  assert.deepEqual(sources.queueUrls, [QueueUrl]);
  const first = await sqs.send(new ReceiveMessageCommand({ QueueUrl, VisibilityTimeout: 0 }));
  assert.equal(first.Messages?.length, 1);
  assert.equal((await sqs.send(new ReceiveMessageCommand({ QueueUrl }))).Messages, undefined);
  const dead = await sqs.send(
    new ReceiveMessageCommand({ QueueUrl: dlq.QueueUrl, MessageSystemAttributeNames: ['All'] }),
  );
  assert.equal(dead.Messages?.[0]?.MessageId, sent.MessageId);
  assert.equal(dead.Messages?.[0]?.Attributes?.SequenceNumber?.length, 20);
});

test('SQS errors surface in the SDK as its modeled exceptions', async (t) => {
  const { sqs, url } = await startSqsServer(t);
  const missingUrl = `${url}/${CTX.accountId}/missing`;
  const missing = await rejection(
    sqs.send(new SendMessageCommand({ QueueUrl: missingUrl, MessageBody: 'x' })),
  );
  assert.ok(missing instanceof QueueDoesNotExist);
  assert.equal(missing.name, 'QueueDoesNotExist');
  assert.equal(missing.message, 'The specified queue does not exist.');
  assert.equal(missing.Code, 'AWS.SimpleQueueService.NonExistentQueue');
  assert.equal(missing.Type, 'Sender');
  assert.equal((missing as unknown as QueueDoesNotExist).$metadata.httpStatusCode, 400);
  assert.ok(
    (await rejection(sqs.send(new GetQueueUrlCommand({ QueueName: 'missing' })))) instanceof
      QueueDoesNotExist,
  );

  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'q' }));
  const exists = await rejection(
    sqs.send(new CreateQueueCommand({ QueueName: 'q', Attributes: { DelaySeconds: '5' } })),
  );
  assert.ok(exists instanceof QueueNameExists);
  assert.equal(exists.Code, 'QueueAlreadyExists');

  const handle = await rejection(
    sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: 'nope' })),
  );
  assert.ok(handle instanceof ReceiptHandleIsInvalid);
  assert.equal((handle as unknown as ReceiptHandleIsInvalid).$metadata.httpStatusCode, 404);

  const empty = await rejection(sqs.send(new SendMessageBatchCommand({ QueueUrl, Entries: [] })));
  assert.ok(empty instanceof EmptyBatchRequest);

  const range = await rejection(
    sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 11 })),
  );
  assert.equal(range.name, 'InvalidParameterValue');
  assert.equal(
    range.message,
    'Value 11 for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10, if provided.',
  );
  const attribute = await rejection(
    sqs.send(new SetQueueAttributesCommand({ QueueUrl, Attributes: { VisibilityTimeout: '-1' } })),
  );
  assert.equal(attribute.name, 'InvalidAttributeValue');
  const big = await rejection(
    sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'x'.repeat(1_048_577) })),
  );
  assert.equal(big.name, 'InvalidParameterValue');
  assert.match(big.message, /Message must be shorter than 1048576 bytes/);
});

test('JSON errors carry x-amzn-query-error, __type and x-amzn-RequestId', async (t) => {
  const { url } = await startSqsServer(t);
  const response = await fetch(`${url}/`, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/x-amz-json-1.0',
      'X-Amz-Target': 'AmazonSQS.GetQueueUrl',
    },
    body: JSON.stringify({ QueueName: 'nope' }),
  });
  assert.equal(response.status, 400);
  assert.equal(
    response.headers.get('x-amzn-query-error'),
    'AWS.SimpleQueueService.NonExistentQueue;Sender',
  );
  assert.match(response.headers.get('x-amzn-requestid') ?? '', /^[0-9a-f-]{36}$/);
  assert.equal(response.headers.get('content-type'), 'application/x-amz-json-1.0');
  assert.deepEqual(await response.json(), {
    __type: 'com.amazonaws.sqs#QueueDoesNotExist',
    message: 'The specified queue does not exist.',
  });

  const unknown = await fetch(`${url}/`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-amz-json-1.0', 'X-Amz-Target': 'AmazonSQS.Fly' },
    body: '{}',
  });
  assert.equal(unknown.status, 400);
  assert.equal(unknown.headers.get('x-amzn-query-error'), 'InvalidAction;Sender');
  const missing = await fetch(`${url}/`, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/x-amz-json-1.0',
      'X-Amz-Target': 'AmazonSQS.CreateQueue',
    },
    body: '{}',
  });
  assert.equal(missing.headers.get('x-amzn-query-error'), 'MissingParameter;Sender');
  assert.deepEqual(await missing.json(), {
    __type: 'com.amazonaws.sqs#MissingRequiredParameterException',
    message: 'The request must contain the parameter QueueName.',
  });
});
