import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CTX, createTestQueues, rejection } from './helpers.js';

test('a new queue has SQS defaults; All returns every attribute', async (t) => {
  const { service, clock } = createTestQueues(t);
  const created = Math.floor(clock.now() / 1000);
  await service.createQueue({ name: 'standard' });
  assert.deepEqual(await service.getQueueAttributes('standard', ['All']), {
    QueueArn: `arn:aws:sqs:us-east-1:${CTX.accountId}:standard`,
    ApproximateNumberOfMessages: '0',
    ApproximateNumberOfMessagesNotVisible: '0',
    ApproximateNumberOfMessagesDelayed: '0',
    CreatedTimestamp: String(created),
    LastModifiedTimestamp: String(created),
    VisibilityTimeout: '30',
    MaximumMessageSize: '1048576',
    MessageRetentionPeriod: '345600',
    DelaySeconds: '0',
    ReceiveMessageWaitTimeSeconds: '0',
    SqsManagedSseEnabled: 'true',
  });
  await service.createQueue({ name: 'f.fifo', attributes: { FifoQueue: 'true' } });
  const fifo = await service.getQueueAttributes('f.fifo', [
    'FifoQueue',
    'ContentBasedDeduplication',
    'DeduplicationScope',
    'FifoThroughputLimit',
  ]);
  assert.deepEqual(fifo, {
    FifoQueue: 'true',
    ContentBasedDeduplication: 'false',
    DeduplicationScope: 'queue',
    FifoThroughputLimit: 'perQueue',
  });
  assert.deepEqual(await service.getQueueAttributes('standard'), {});
  const unknown = await rejection(service.getQueueAttributes('standard', ['Colour']));
  assert.equal(unknown.name, 'InvalidAttributeName');
  assert.equal(unknown.message, 'Unknown Attribute Colour.');
});

test('CreateQueue is idempotent with equal attributes, QueueNameExists otherwise', async (t) => {
  const { service } = createTestQueues(t);
  const first = await service.createQueue({ name: 'q', attributes: { VisibilityTimeout: '60' } });
  assert.deepEqual(
    await service.createQueue({ name: 'q', attributes: { VisibilityTimeout: '60' } }),
    first,
  );
  assert.deepEqual(await service.createQueue({ name: 'q' }), first);
  const conflict = await rejection(
    service.createQueue({ name: 'q', attributes: { VisibilityTimeout: '30' } }),
  );
  assert.equal(conflict.name, 'QueueNameExists');
  assert.equal(
    conflict.message,
    'A queue already exists with the same name and a different value for attribute VisibilityTimeout',
  );
});

test('queue names and attribute values are validated with SQS errors', async (t) => {
  const { service } = createTestQueues(t);
  for (const name of ['', 'a'.repeat(81), 'has space', 'dot.ted', 'x.fifo']) {
    const error = await rejection(service.createQueue({ name }));
    assert.equal(error.name, 'InvalidParameterValueException', name);
  }
  const fifoName = await rejection(
    service.createQueue({ name: 'nofifo', attributes: { FifoQueue: 'true' } }),
  );
  assert.match(fifoName.message, /must end with \.fifo suffix/);
  await service.createQueue({ name: 'a'.repeat(75) + '.fifo', attributes: { FifoQueue: 'true' } });

  for (const [attribute, value] of [
    ['VisibilityTimeout', '43201'],
    ['VisibilityTimeout', 'soon'],
    ['DelaySeconds', '-1'],
    ['MessageRetentionPeriod', '59'],
    ['MaximumMessageSize', '1023'],
    ['ReceiveMessageWaitTimeSeconds', '21'],
  ] as const) {
    const error = await rejection(
      service.createQueue({ name: 'v', attributes: { [attribute]: value } }),
    );
    assert.equal(error.name, 'InvalidAttributeValue', `${attribute}=${value}`);
    assert.equal(error.message, `Invalid value for the parameter ${attribute}.`);
  }
  const fifoOnly = await rejection(
    service.createQueue({ name: 'v', attributes: { ContentBasedDeduplication: 'true' } }),
  );
  assert.equal(fifoOnly.name, 'InvalidAttributeName');
  await service.createQueue({ name: 'v' });
  const readOnly = await rejection(service.setQueueAttributes('v', { QueueArn: 'x' }));
  assert.equal(readOnly.message, 'Unknown Attribute QueueArn.');
  const typeChange = await rejection(service.setQueueAttributes('v', { FifoQueue: 'true' }));
  assert.equal(typeChange.name, 'InvalidAttributeValue');
});

test('SetQueueAttributes changes attributes and LastModifiedTimestamp', async (t) => {
  const { service, clock } = createTestQueues(t);
  await service.createQueue({ name: 'q' });
  await clock.advance(5_000);
  await service.setQueueAttributes('q', {
    VisibilityTimeout: '45',
    Policy: '{"Version":"2012-10-17","Statement":[]}',
  });
  const attributes = await service.getQueueAttributes('q', [
    'VisibilityTimeout',
    'Policy',
    'CreatedTimestamp',
    'LastModifiedTimestamp',
  ]);
  assert.equal(attributes.VisibilityTimeout, '45');
  assert.equal(attributes.Policy, '{"Version":"2012-10-17","Statement":[]}');
  assert.equal(Number(attributes.LastModifiedTimestamp) - Number(attributes.CreatedTimestamp), 5);
});

test('ListQueues filters by prefix and pages with MaxResults and NextToken', async (t) => {
  const { service } = createTestQueues(t);
  for (const name of ['alpha', 'beta-1', 'beta-2', 'beta-3', 'gamma']) {
    await service.createQueue({ name });
  }
  const all = await service.listQueues();
  assert.deepEqual(
    all.queues.map((q) => q.name),
    ['alpha', 'beta-1', 'beta-2', 'beta-3', 'gamma'],
  );
  assert.equal(all.nextToken, undefined);
  const first = await service.listQueues({ prefix: 'beta', maxResults: 2 });
  assert.deepEqual(
    first.queues.map((q) => q.name),
    ['beta-1', 'beta-2'],
  );
  assert.ok(first.nextToken);
  const second = await service.listQueues({
    prefix: 'beta',
    maxResults: 2,
    nextToken: first.nextToken,
  });
  assert.deepEqual(
    second.queues.map((q) => q.name),
    ['beta-3'],
  );
  assert.equal(second.nextToken, undefined);
  await service.deleteQueue('beta-2');
  assert.equal((await service.listQueues({ prefix: 'beta' })).queues.length, 2);
  const gone = await rejection(service.sendMessage('beta-2', { body: 'x' }));
  assert.equal(gone.name, 'QueueDoesNotExist');
});

test('tags: TagQueue, UntagQueue, ListQueueTags', async (t) => {
  const { service } = createTestQueues(t);
  await service.createQueue({ name: 'q', tags: { team: 'a' } });
  await service.tagQueue('q', { env: 'dev', team: 'b' });
  await service.untagQueue('q', ['env']);
  assert.deepEqual(await service.listQueueTags('q'), { team: 'b' });
});

test('message content rules: size, characters, attribute names, types and values', async (t) => {
  const { service } = createTestQueues(t);
  await service.createQueue({ name: 'q', attributes: { MaximumMessageSize: '1024' } });
  await service.sendMessage('q', { body: 'x'.repeat(1024) });
  const big = await rejection(service.sendMessage('q', { body: 'x'.repeat(1025) }));
  assert.equal(
    big.message,
    'One or more parameters are invalid. Reason: Message must be shorter than 1024 bytes.',
  );
  const withAttributes = await rejection(
    service.sendMessage('q', {
      body: 'x'.repeat(1000),
      messageAttributes: { name: { dataType: 'String', stringValue: 'y'.repeat(20) } },
    }),
  );
  assert.equal(withAttributes.name, 'InvalidParameterValueException');
  const control = await rejection(service.sendMessage('q', { body: 'a\u0000b' }));
  assert.equal(control.name, 'InvalidMessageContents');
  assert.match(control.message, /^Invalid binary character '#x0' was found in the message body/);
  await service.sendMessage('q', { body: 'tab\tcr\rlf\n😀' });

  const invalid: [string, Record<string, { dataType: string; stringValue?: string }>][] = [
    ['reserved name', { 'AWS.thing': { dataType: 'String', stringValue: 'v' } }],
    ['bad type', { a: { dataType: 'Text', stringValue: 'v' } }],
    ['empty value', { a: { dataType: 'String', stringValue: '' } }],
    ['not a number', { a: { dataType: 'Number', stringValue: 'twelve' } }],
    ['no binary', { a: { dataType: 'Binary' } }],
  ];
  for (const [why, messageAttributes] of invalid) {
    const error = await rejection(service.sendMessage('q', { body: 'x', messageAttributes }));
    assert.equal(error.name, 'InvalidParameterValueException', why);
  }
  const eleven = Object.fromEntries(
    Array.from({ length: 11 }, (_, i) => [
      `a${String(i)}`,
      { dataType: 'String', stringValue: 'v' },
    ]),
  );
  const tooMany = await rejection(
    service.sendMessage('q', { body: 'x', messageAttributes: eleven }),
  );
  assert.equal(
    tooMany.message,
    'Number of message attributes [11] exceeds the allowed maximum [10].',
  );
});

test('batches: empty, too many, repeated or malformed ids fail whole; bad entries fail alone', async (t) => {
  const { service } = createTestQueues(t);
  await service.createQueue({ name: 'q' });
  const empty = await rejection(service.sendMessageBatch('q', []));
  assert.equal(empty.name, 'EmptyBatchRequest');
  const eleven = Array.from({ length: 11 }, (_, i) => ({ id: `m${String(i)}`, body: 'x' }));
  const tooMany = await rejection(service.sendMessageBatch('q', eleven));
  assert.equal(tooMany.name, 'TooManyEntriesInBatchRequest');
  assert.equal(tooMany.message, 'Maximum number of entries per request are 10. You have sent 11.');
  const repeated = await rejection(
    service.sendMessageBatch('q', [
      { id: 'a', body: 'x' },
      { id: 'a', body: 'y' },
    ]),
  );
  assert.equal(repeated.name, 'BatchEntryIdsNotDistinct');
  const malformed = await rejection(service.sendMessageBatch('q', [{ id: 'a b', body: 'x' }]));
  assert.equal(malformed.name, 'InvalidBatchEntryId');
  const tooLong = await rejection(
    service.sendMessageBatch('q', [
      { id: 'a', body: 'x'.repeat(800_000) },
      { id: 'b', body: 'x'.repeat(400_000) },
    ]),
  );
  assert.equal(tooLong.name, 'BatchRequestTooLong');

  const result = await service.sendMessageBatch('q', [
    { id: 'good', body: 'fine' },
    { id: 'bad', body: 'nul\u0000' },
    { id: 'late', body: 'later', delaySeconds: 1000 },
  ]);
  assert.deepEqual(
    result.successful.map((s) => s.id),
    ['good'],
  );
  assert.deepEqual(
    result.failed.map((f) => [f.id, f.code, f.senderFault]),
    [
      ['bad', 'InvalidMessageContents', true],
      ['late', 'InvalidParameterValue', true],
    ],
  );

  const [m] = await service.receiveMessages('q');
  assert.ok(m);
  const deleted = await service.deleteMessageBatch('q', [
    { id: 'ok', receiptHandle: m.receiptHandle },
    { id: 'nope', receiptHandle: 'garbage' },
  ]);
  assert.deepEqual(
    deleted.successful.map((s) => s.id),
    ['ok'],
  );
  assert.deepEqual(
    deleted.failed.map((f) => [f.id, f.code]),
    [['nope', 'ReceiptHandleIsInvalid']],
  );
});
