import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { CTX, startSqsServer } from './helpers.js';

const run = promisify(execFile);

/** The AWS CLI v2 of the machine: it speaks SQS's query protocol (form in, XML out). */
const AWS = '/usr/bin/aws';
const ENV = {
  PATH: process.env.PATH ?? '/usr/bin:/bin',
  HOME: process.env.HOME ?? '/tmp',
  AWS_ACCESS_KEY_ID: 'test',
  AWS_SECRET_ACCESS_KEY: 'test',
  AWS_DEFAULT_REGION: 'us-east-1',
  AWS_CONFIG_FILE: '/nonexistent/aws-config',
  AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/aws-credentials',
  AWS_PAGER: '',
};

async function cli(
  endpoint: string,
  args: readonly string[],
): Promise<{ json: Record<string, unknown>; stderr: string }> {
  const { stdout, stderr } = await run(
    AWS,
    ['--endpoint-url', endpoint, '--output', 'json', 'sqs', ...args],
    { env: ENV },
  );
  return {
    json: stdout.trim() === '' ? {} : (JSON.parse(stdout) as Record<string, unknown>),
    stderr,
  };
}

test('the AWS CLI v2 (query protocol) creates, sends, receives, inspects and deletes', async (t) => {
  const { url } = await startSqsServer(t);
  const debug = await cli(url, ['list-queues', '--debug']);
  assert.match(debug.stderr, /'Action': 'ListQueues'/);
  assert.match(debug.stderr, /application\/x-www-form-urlencoded/);

  const created = await cli(url, [
    'create-queue',
    '--queue-name',
    'cli-queue',
    '--attributes',
    'VisibilityTimeout=45,DelaySeconds=0',
  ]);
  const queueUrl = `${url}/${CTX.accountId}/cli-queue`;
  assert.deepEqual(created.json, { QueueUrl: queueUrl });

  const body = 'a <b> & "c" \'d\'';
  const sent = await cli(url, [
    'send-message',
    '--queue-url',
    queueUrl,
    '--message-body',
    body,
    '--message-attributes',
    JSON.stringify({
      attribName1: { DataType: 'String', StringValue: 'attribValue 1' },
      raw: { DataType: 'Binary', BinaryValue: Buffer.from([1, 2, 3]).toString('base64') },
    }),
  ]);
  assert.equal(sent.json.MD5OfMessageBody, createHash('md5').update(body).digest('hex'));
  assert.match(String(sent.json.MD5OfMessageAttributes), /^[0-9a-f]{32}$/);

  const batch = await cli(url, [
    'send-message-batch',
    '--queue-url',
    queueUrl,
    '--entries',
    JSON.stringify([
      { Id: 'one', MessageBody: 'first of batch' },
      { Id: 'two', MessageBody: 'second of batch', DelaySeconds: 0 },
    ]),
  ]);
  assert.deepEqual(
    (batch.json.Successful as { Id: string }[]).map((s) => s.Id),
    ['one', 'two'],
  );

  const received = await cli(url, [
    'receive-message',
    '--queue-url',
    queueUrl,
    '--max-number-of-messages',
    '10',
    '--attribute-names',
    'All',
    '--message-attribute-names',
    'All',
  ]);
  const messages = received.json.Messages as {
    Body: string;
    ReceiptHandle: string;
    MessageId: string;
    MD5OfMessageAttributes?: string;
    Attributes: Record<string, string>;
    MessageAttributes?: Record<
      string,
      { DataType: string; StringValue?: string; BinaryValue?: string }
    >;
  }[];
  assert.deepEqual(
    messages.map((m) => m.Body),
    [body, 'first of batch', 'second of batch'],
  );
  const [first] = messages;
  assert.ok(first);
  assert.equal(first.MessageId, sent.json.MessageId);
  assert.equal(first.MD5OfMessageAttributes, sent.json.MD5OfMessageAttributes);
  assert.deepEqual(first.MessageAttributes, {
    attribName1: { DataType: 'String', StringValue: 'attribValue 1' },
    raw: { DataType: 'Binary', BinaryValue: 'AQID' },
  });
  assert.equal(first.Attributes.SenderId, 'test');
  assert.equal(first.Attributes.ApproximateReceiveCount, '1');

  const attributes = await cli(url, [
    'get-queue-attributes',
    '--queue-url',
    queueUrl,
    '--attribute-names',
    'All',
  ]);
  const values = attributes.json.Attributes as Record<string, string>;
  assert.equal(values.VisibilityTimeout, '45');
  assert.equal(values.ApproximateNumberOfMessagesNotVisible, '3');
  assert.equal(values.QueueArn, `arn:aws:sqs:us-east-1:${CTX.accountId}:cli-queue`);

  await cli(url, [
    'delete-message',
    '--queue-url',
    queueUrl,
    '--receipt-handle',
    first.ReceiptHandle,
  ]);
  const after = await cli(url, [
    'get-queue-attributes',
    '--queue-url',
    queueUrl,
    '--attribute-names',
    'ApproximateNumberOfMessagesNotVisible',
  ]);
  assert.deepEqual(after.json.Attributes, { ApproximateNumberOfMessagesNotVisible: '2' });
});

test('the AWS CLI v2 reports SQS errors by their query codes', async (t) => {
  const { url } = await startSqsServer(t);
  const failure = await cli(url, ['get-queue-url', '--queue-name', 'missing']).then(
    () => assert.fail('expected the CLI to fail'),
    (error: unknown) => error as { code: number; stderr: string },
  );
  assert.notEqual(failure.code, 0);
  assert.match(
    failure.stderr,
    /An error occurred \(AWS\.SimpleQueueService\.NonExistentQueue\) when calling the GetQueueUrl operation: The specified queue does not exist\./,
  );
});
