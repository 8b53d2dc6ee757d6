import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { LambdaClient } from '@aws-sdk/client-lambda';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { aws, awsCliMissing } from '../helpers/aws-cli.js';
import { DeliveredEvents } from '../helpers/delivered-events.js';
import { createFunction } from '../helpers/functions.js';
import { createMapping, waitForState } from '../helpers/mappings.js';
import { startServer, type RunningServer } from '../helpers/server.js';

interface SqsRecord {
  messageId: string;
  body: string;
  attributes: Record<string, string>;
  messageAttributes: Record<string, { stringValue?: string; dataType: string }>;
  eventSource: string;
  eventSourceARN: string;
  awsRegion: string;
}
interface SqsEvent {
  Records: SqsRecord[];
}

const bodiesOf = (events: SqsEvent[]): string[] =>
  events.flatMap((e) => e.Records.map((r) => r.body));
const countOf = (events: SqsEvent[], body: string): number =>
  bodiesOf(events).filter((b) => b === body).length;

/**
 * SQS event source mappings end to end: a real `fogbank server`, a real function in its sandbox,
 * the SDK's SQS client sending, the function's own log telling what it received.
 */
describe('SQS event source mappings', () => {
  let server: RunningServer;
  let lambda: LambdaClient;
  let sqs: SQSClient;
  let delivered: DeliveredEvents;
  let fn = 0;

  const queue = async (
    name: string,
    attributes: Record<string, string> = {},
  ): Promise<{ url: string; arn: string }> => {
    const { QueueUrl } = await sqs.send(
      new CreateQueueCommand({ QueueName: name, Attributes: attributes }),
    );
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }),
    );
    return { url: QueueUrl ?? '', arn: Attributes?.QueueArn ?? '' };
  };
  const send = async (url: string, bodies: readonly string[], group?: string): Promise<void> => {
    for (let i = 0; i < bodies.length; i += 10) {
      const r = await sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: url,
          Entries: bodies.slice(i, i + 10).map((b, j) => ({
            Id: String(j),
            MessageBody: b,
            MessageAttributes: { kind: { DataType: 'String', StringValue: 'test' } },
            ...(group === undefined ? {} : { MessageGroupId: group, MessageDeduplicationId: b }),
          })),
        }),
      );
      assert.equal(r.Failed?.length ?? 0, 0);
    }
  };
  /** A fresh recorder function (each test reads only its own function's log). */
  const recorder = async (timeout = 3): Promise<string> => {
    const name = `recorder-${String(++fn)}`;
    await createFunction(lambda, {
      FunctionName: name,
      Timeout: timeout,
      Runtime: 'nodejs20.x',
      Handler: 'index.handler',
      fixture: 'e2e/esm-recorder',
    });
    return name;
  };
  const messagesIn = async (url: string): Promise<number> => {
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: url,
        AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
      }),
    );
    return (
      Number(Attributes?.ApproximateNumberOfMessages) +
      Number(Attributes?.ApproximateNumberOfMessagesNotVisible)
    );
  };

  before(async () => {
    server = await startServer();
    lambda = server.lambda();
    sqs = new SQSClient({
      endpoint: server.url,
      region: 'us-east-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });
    delivered = new DeliveredEvents(server.url);
  });
  after(async () => {
    sqs.destroy();
    delivered.destroy();
    assert.equal(await server.stop(), 0);
  });

  it('delivers batches of at most BatchSize, gathered within the batching window, in Lambda’s record shape', async () => {
    const name = await recorder();
    const q = await queue('batches');
    await createMapping(lambda, {
      FunctionName: name,
      EventSourceArn: q.arn,
      BatchSize: 5,
      MaximumBatchingWindowInSeconds: 1,
    });
    const bodies = Array.from({ length: 12 }, (_, i) => `m${String(i)}`);
    await send(q.url, bodies);
    const events = await delivered.until<SqsEvent>(name, (e) => bodiesOf(e).length >= 12);
    assert.deepEqual(bodiesOf(events).sort(), [...bodies].sort());
    assert.ok(events.every((e) => e.Records.length <= 5));
    // A one-second window over messages sent at once gathers full batches, not one per message.
    assert.ok(events.length <= 4, `${String(events.length)} invocations for 12 messages`);
    const record = events[0]?.Records[0];
    assert.equal(record?.eventSource, 'aws:sqs');
    assert.equal(record.eventSourceARN, q.arn);
    assert.equal(record.awsRegion, 'us-east-1');
    assert.equal(record.attributes.ApproximateReceiveCount, '1');
    assert.deepEqual(record.messageAttributes.kind?.stringValue, 'test');
    await waitFor(async () => (await messagesIn(q.url)) === 0);
  });

  it('deletes only the successes of a partial batch response, and redrives a failing message to the DLQ after exactly maxReceiveCount receives', async () => {
    // Lambda refuses a queue whose visibility timeout is shorter than the function's timeout.
    const name = await recorder(1);
    const dlq = await queue('partial-dlq');
    const q = await queue('partial', {
      VisibilityTimeout: '1',
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount: 3 }),
    });
    await send(q.url, ['ok-1', 'fail-2', 'ok-3', 'throw-alone']);
    // Sent before the mapping exists, so the first receive finds all four.
    await createMapping(lambda, {
      FunctionName: name,
      EventSourceArn: q.arn,
      BatchSize: 3,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
    const { Messages } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: dlq.url,
        WaitTimeSeconds: 20,
        MaxNumberOfMessages: 10,
      }),
    );
    let dead = (Messages ?? []).map((m) => m.Body);
    if (dead.length < 2) {
      const more = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl: dlq.url, WaitTimeSeconds: 20 }),
      );
      dead = [...dead, ...(more.Messages ?? []).map((m) => m.Body)];
    }
    assert.deepEqual(dead.sort(), ['fail-2', 'throw-alone']);
    const events = await delivered.of<SqsEvent>(name);
    assert.equal(countOf(events, 'ok-1'), 1, 'a reported success is deleted, not redelivered');
    assert.equal(countOf(events, 'ok-3'), 1);
    assert.equal(countOf(events, 'fail-2'), 3, 'received exactly maxReceiveCount times');
    assert.equal(countOf(events, 'throw-alone'), 3);
    assert.equal(await messagesIn(q.url), 0);
  });

  it('keeps each FIFO message group in order while groups run concurrently', async () => {
    const name = await recorder();
    const q = await queue('ordered.fifo', { FifoQueue: 'true', VisibilityTimeout: '30' });
    const groups = ['a', 'b', 'c'];
    for (const g of groups) {
      // Every batch takes 300 ms, so groups only finish together if they overlap.
      await send(
        q.url,
        Array.from({ length: 6 }, (_, i) => `${g}${String(i)}-slow`),
        g,
      );
    }
    const started = Date.now();
    await createMapping(lambda, { FunctionName: name, EventSourceArn: q.arn, BatchSize: 2 });
    const events = await delivered.until<SqsEvent>(name, (e) => bodiesOf(e).length >= 18);
    const elapsed = Date.now() - started;
    for (const g of groups) {
      const seen = bodiesOf(events).filter((b) => b.startsWith(g));
      assert.deepEqual(
        seen,
        Array.from({ length: 6 }, (_, i) => `${g}${String(i)}-slow`),
      );
    }
    // Nine batches of 300 ms one after another would take 2.7 s.
    assert.ok(elapsed < 2700, `took ${String(elapsed)} ms`);
  });

  it(
    'passes only records matching the filter and deletes the others (created with the AWS CLI)',
    { skip: awsCliMissing ?? false },
    async () => {
      const name = await recorder();
      const q = await queue('filtered');
      const created = await aws(server.url, [
        'lambda',
        'create-event-source-mapping',
        '--function-name',
        name,
        '--event-source-arn',
        q.arn,
        '--filter-criteria',
        JSON.stringify({ Filters: [{ Pattern: JSON.stringify({ body: { kind: ['keep'] } }) }] }),
      ]);
      assert.equal(created.code, 0, created.stderr);
      const mapping = JSON.parse(created.stdout) as { UUID: string; State: string };
      assert.equal(mapping.State, 'Creating');
      await waitForState(lambda, mapping.UUID);
      const bodies = ['keep', 'drop', 'keep', 'other'].map((kind, i) =>
        JSON.stringify({ kind, i }),
      );
      await send(q.url, [...bodies, 'not json']);
      await waitFor(async () => (await messagesIn(q.url)) === 0);
      const events = await delivered.of<SqsEvent>(name);
      assert.deepEqual(bodiesOf(events).sort(), [bodies[0], bodies[2]].sort());
    },
  );
});

async function waitFor(check: () => Promise<boolean>, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) {
      throw new Error('condition not met in time');
    }
    await sleep(100);
  }
}
