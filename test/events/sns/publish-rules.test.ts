import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TOPIC_PREFIX, createTestSns, queueArn, refused } from './helpers.js';

test('Publish input rules: empty message, size, subject and message attributes', async (t) => {
  const { service } = createTestSns(t);
  const topicArn = await service.createTopic({ name: 'rules' });
  const publish = (input: Omit<Parameters<typeof service.publish>[0], 'topicArn'>) =>
    service.publish({ topicArn, ...input });
  await refused(
    publish({ message: '' }),
    'InvalidParameterException',
    'Invalid parameter: Empty message',
  );
  await refused(
    publish({ message: 'x'.repeat(262_145) }),
    'InvalidParameterException',
    'Invalid parameter: Message too long',
  );
  await publish({ message: 'x'.repeat(262_144) });
  await refused(
    publish({
      message: 'x'.repeat(262_140),
      messageAttributes: { a: { DataType: 'String', StringValue: 'bcd' } },
    }),
    'InvalidParameterException',
    'Invalid parameter: Message too long',
  );
  await refused(
    publish({ message: 'm', subject: '' }),
    'InvalidParameterException',
    'Invalid parameter: Subject',
  );
  await refused(
    publish({ message: 'm', subject: 'two\nlines' }),
    'InvalidParameterException',
    'Invalid parameter: Subject',
  );
  await refused(
    publish({ message: 'm', messageDeduplicationId: 'd' }),
    'InvalidParameterException',
    /MessageDeduplicationId Reason/,
  );
  await refused(
    service.publish({ message: 'm' }),
    'InvalidParameterException',
    'Invalid parameter: TopicArn or TargetArn Reason: no value for required parameter',
  );
  assert.match(
    await service.publish({ targetArn: topicArn, message: 'by target' }),
    /^[0-9a-f-]{36}$/,
  );

  const attribute = async (
    attributes: Parameters<typeof service.publish>[0]['messageAttributes'],
    name: string,
    message: string | RegExp,
  ) => {
    await refused(
      publish({ message: 'm', ...(attributes && { messageAttributes: attributes }) }),
      name,
      message,
    );
  };
  await attribute(
    { attr1: { DataType: 'String' } },
    'InvalidParameterValueException',
    "The message attribute 'attr1' must contain non-empty message attribute value for message attribute type 'String'.",
  );
  await attribute(
    { attr1: { DataType: 'Binary' } },
    'InvalidParameterValueException',
    "The message attribute 'attr1' must contain non-empty message attribute value for message attribute type 'Binary'.",
  );
  await attribute(
    { attr1: { DataType: 'String', BinaryValue: Buffer.from('x') } },
    'InvalidParameterValueException',
    "The message attribute 'attr1' with type 'String' must use field 'String'.",
  );
  await attribute(
    { attr1: { DataType: 'Number', BinaryValue: Buffer.from('x') } },
    'InvalidParameterValueException',
    "The message attribute 'attr1' with type 'Number' must use field 'String'.",
  );
  await attribute(
    { attr1: { DataType: 'Binary', StringValue: 'x' } },
    'InvalidParameterValueException',
    "The message attribute 'attr1' with type 'Binary' must use field 'Binary'.",
  );
  await attribute(
    { attr1: { DataType: 'Text', StringValue: 'x' } },
    'InvalidParameterValueException',
    "The message attribute 'attr1' has an invalid message attribute type, the set of supported type prefixes is Binary, Number, and String.",
  );
  await attribute(
    { attr1: { DataType: '', StringValue: 'x' } },
    'ValidationException',
    "1 validation error detected: Value null at 'messageAttributes.attr1.member.dataType' failed to satisfy constraint: Member must not be null",
  );
  await attribute(
    { attr1: { DataType: 'Number', StringValue: 'ten' } },
    'InvalidParameterValueException',
    "Could not cast message attribute 'attr1' value to number.",
  );
  await attribute(
    { 'a^b': { DataType: 'String', StringValue: 'x' } },
    'InvalidParameterValueException',
    "Invalid non-alphanumeric character '#x5E' was found in the message attribute name. Can only include alphanumeric characters, hyphens, underscores, or dots.",
  );
  await attribute(
    { '.a': { DataType: 'String', StringValue: 'x' } },
    'InvalidParameterValueException',
    "Invalid message attribute name starting with character '.' was found.",
  );
  await attribute(
    { 'a.': { DataType: 'String', StringValue: 'x' } },
    'InvalidParameterValueException',
    "Invalid message attribute name ending with character '.' was found.",
  );
  await attribute(
    { 'a..b': { DataType: 'String', StringValue: 'x' } },
    'InvalidParameterValueException',
    "Message attribute name can not have successive '.' character.",
  );
  await attribute(
    { ['a'.repeat(256)]: { DataType: 'String', StringValue: 'x' } },
    'InvalidParameterValueException',
    'Length of message attribute name must be less than 256 bytes.',
  );
  await attribute(
    { list: { DataType: 'String.Array', StringValue: '[{"a":1}]' } },
    'InvalidParameterValueException',
    /String\.Array/,
  );
  await publish({
    message: 'm',
    messageAttributes: {
      custom: { DataType: 'String.custom', StringValue: 'x' },
      n: { DataType: 'Number.float', StringValue: '1.5e3' },
    },
  });
});

test('PublishBatch: request-level errors, per-entry failures, and successes', async (t) => {
  const { service, queues } = createTestSns(t);
  const topicArn = await service.createTopic({ name: 'batch' });
  const q = queueArn('q');
  queues.queues.add(q);
  await service.subscribe({
    topicArn,
    protocol: 'sqs',
    endpoint: q,
    attributes: { RawMessageDelivery: 'true' },
  });
  await refused(
    service.publishBatch(topicArn, []),
    'EmptyBatchRequestException',
    "The batch request doesn't contain any entries.",
  );
  const eleven = Array.from({ length: 11 }, (_, i) => ({ id: String(i), message: 'm' }));
  await refused(
    service.publishBatch(topicArn, eleven),
    'TooManyEntriesInBatchRequestException',
    'The batch request contains more entries than permissible.',
  );
  await refused(
    service.publishBatch(topicArn, [
      { id: 'a', message: 'm' },
      { id: 'a', message: 'n' },
    ]),
    'BatchEntryIdsNotDistinctException',
    'Two or more batch entries in the request have the same Id.',
  );
  await refused(
    service.publishBatch(topicArn, [{ id: 'bad id', message: 'm' }]),
    'InvalidBatchEntryIdException',
    /alphanumeric characters, hyphens and underscores/,
  );
  await refused(
    service.publishBatch(topicArn, [
      { id: '1', message: 'x'.repeat(200_000) },
      { id: '2', message: 'x'.repeat(100_000) },
    ]),
    'BatchRequestTooLongException',
    'The length of all the messages put together is more than the limit.',
  );
  await refused(
    service.publishBatch(topicArn, [
      { id: '1', message: 'm', messageAttributes: { a: { DataType: '', StringValue: 'v' } } },
    ]),
    'ValidationException',
    "1 validation error detected: Value null at 'publishBatchRequestEntries.1.member.messageAttributes.a.member.dataType' failed to satisfy constraint: Member must not be null",
  );
  await refused(
    service.publishBatch(`${TOPIC_PREFIX}nope`, [{ id: '1', message: 'm' }]),
    'NotFoundException',
    'Topic does not exist',
  );

  const result = await service.publishBatch(topicArn, [
    {
      id: 'one',
      message: 'first',
      messageAttributes: { n: { DataType: 'Number', StringValue: '1' } },
    },
    { id: 'empty', message: '' },
    { id: 'two', message: 'second', subject: 'S' },
  ]);
  assert.deepEqual(result.failed, [
    {
      Id: 'empty',
      Code: 'InvalidParameter',
      Message: 'Invalid parameter: Empty message',
      SenderFault: true,
    },
  ]);
  assert.deepEqual(
    result.successful.map((s) => s.Id),
    ['one', 'two'],
  );
  assert.ok(result.successful.every((s) => /^[0-9a-f-]{36}$/.test(s.MessageId)));
  await service.idle();
  assert.deepEqual(
    queues.sent.map((m) => [m.body, m.attributes]),
    [
      ['first', { n: { DataType: 'Number', StringValue: '1' } }],
      ['second', undefined],
    ],
  );
});
