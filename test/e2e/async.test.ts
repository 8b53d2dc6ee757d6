import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  DeleteFunctionConcurrencyCommand,
  InvokeCommand,
  PutFunctionConcurrencyCommand,
  PutFunctionEventInvokeConfigCommand,
  UpdateFunctionConfigurationCommand,
  type LambdaClient,
} from '@aws-sdk/client-lambda';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
  type Message,
} from '@aws-sdk/client-sqs';
import { createFunction, waitUpdated } from '../helpers/functions.js';
import { startServer, type RunningServer } from '../helpers/server.js';

/** The fields of Lambda's invocation record (spec §4.11) these tests read. */
interface DestinationRecord {
  version: string;
  requestContext: {
    requestId: string;
    functionArn: string;
    condition: string;
    approximateInvokeCount: number;
  };
  requestPayload: unknown;
  responseContext: { statusCode: number; executedVersion: string; functionError?: string };
  responsePayload: { errorMessage?: string } & Record<string, unknown>;
}

/**
 * Asynchronous invocation end to end: 202, retries exactly as configured, destinations and the
 * dead-letter queue, with async time running 1000 times faster (FOGBANK_ASYNC_TIME_SCALE).
 */
describe('asynchronous invocation', () => {
  let server: RunningServer;
  let lambda: LambdaClient;
  let sqs: SQSClient;
  const arnOf = async (name: string): Promise<string> => {
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name }));
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }),
    );
    return Attributes!.QueueArn!;
  };
  const receive = async (name: string, count = 1): Promise<Message[]> => {
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name }));
    const got: Message[] = [];
    // By the clock: a long poll may come back early and empty.
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline && got.length < count) {
      const r = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl,
          WaitTimeSeconds: 1,
          MaxNumberOfMessages: 10,
          MessageAttributeNames: ['All'],
        }),
      );
      got.push(...(r.Messages ?? []));
    }
    return got;
  };

  /** Creates a Node.js function from `fixture` whose successes go to the queue `<name>-done`. */
  const createWithOnSuccess = async (name: string, fixture: string): Promise<void> => {
    await createFunction(lambda, {
      FunctionName: name,
      Runtime: 'nodejs20.x',
      Handler: 'index.handler',
      fixture,
    });
    const done = await arnOf(`${name}-done`);
    await lambda.send(
      new PutFunctionEventInvokeConfigCommand({
        FunctionName: name,
        DestinationConfig: { OnSuccess: { Destination: done } },
      }),
    );
  };

  before(async () => {
    // Two slots to start from, so that scaling out (AsyncSlots) shows within a few events.
    server = await startServer({
      env: { FOGBANK_ASYNC_TIME_SCALE: '0.001', FOGBANK_ASYNC_WORKERS: '2' },
    });
    lambda = server.lambda();
    sqs = new SQSClient({
      endpoint: server.url,
      region: 'us-east-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });
    await createFunction(lambda, {
      FunctionName: 'flaky',
      Runtime: 'nodejs20.x',
      Handler: 'index.handler',
      fixture: 'e2e/flaky',
    });
  });
  after(async () => {
    sqs.destroy();
    assert.equal(await server.stop(), 0);
  });

  it('answers 202 and sends the success record to OnSuccess', async () => {
    const onSuccess = await arnOf('on-success');
    await lambda.send(
      new PutFunctionEventInvokeConfigCommand({
        FunctionName: 'flaky',
        DestinationConfig: { OnSuccess: { Destination: onSuccess } },
      }),
    );
    const res = await lambda.send(
      new InvokeCommand({ FunctionName: 'flaky', InvocationType: 'Event', Payload: '{"n":1}' }),
    );
    assert.equal(res.StatusCode, 202);
    assert.equal(res.ExecutedVersion, undefined);
    const [message] = await receive('on-success');
    const record = JSON.parse(message!.Body!) as DestinationRecord;
    assert.equal(record.version, '1.0');
    assert.equal(record.requestContext.requestId, res.$metadata.requestId);
    assert.equal(record.requestContext.condition, 'Success');
    assert.equal(record.requestContext.approximateInvokeCount, 1);
    assert.equal(
      record.requestContext.functionArn,
      'arn:aws:lambda:us-east-1:000000000000:function:flaky:$LATEST',
    );
    assert.deepEqual(record.requestPayload, { n: 1 });
    assert.deepEqual(record.responseContext, { statusCode: 200, executedVersion: '$LATEST' });
    assert.deepEqual(record.responsePayload, { ok: true, echo: { n: 1 } });
  });

  it('accepts the legacy InvokeAsync call with 202 {"Status":202}', async () => {
    const res = await fetch(`${server.url}/2014-11-13/functions/flaky/invoke-async/`, {
      method: 'POST',
      body: '{"legacy":true}',
    });
    assert.equal(res.status, 202);
    assert.deepEqual(await res.json(), { Status: 202 });
    const records = await receive('on-success');
    assert.ok(
      records.some(
        (m) =>
          (JSON.parse(m.Body!) as DestinationRecord).requestContext.requestId ===
          res.headers.get('x-amzn-requestid'),
      ),
      'the event ran and reached OnSuccess',
    );
  });

  it('holds a throttled function’s events and runs each once when its concurrency returns', async () => {
    await createWithOnSuccess('held', 'e2e/flaky');
    await lambda.send(
      new PutFunctionConcurrencyCommand({ FunctionName: 'held', ReservedConcurrentExecutions: 0 }),
    );
    const sent = await Promise.all(
      Array.from({ length: 30 }, async (_, n) => {
        const res = await lambda.send(
          new InvokeCommand({
            FunctionName: 'held',
            InvocationType: 'Event',
            Payload: JSON.stringify({ n }),
          }),
        );
        assert.equal(res.StatusCode, 202);
        return res.$metadata.requestId;
      }),
    );
    // Five minutes of throttle back-off, scaled: long enough to back off several times.
    await sleep(300);
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'held-done' }));
    const early = await sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 0 }));
    assert.equal(early.Messages, undefined, 'nothing ran while throttled');
    await lambda.send(new DeleteFunctionConcurrencyCommand({ FunctionName: 'held' }));
    const ran = (await receive('held-done', 30)).map(
      (m) => (JSON.parse(m.Body!) as DestinationRecord).requestContext.requestId,
    );
    assert.deepEqual([...ran].sort(), [...sent].sort(), 'each event ran once');
  });

  it('retries a failing event exactly MaximumRetryAttempts times, then OnFailure and the DLQ', async () => {
    const onFailure = await arnOf('on-failure');
    const dlq = await arnOf('dead-letters');
    await lambda.send(
      new UpdateFunctionConfigurationCommand({
        FunctionName: 'flaky',
        DeadLetterConfig: { TargetArn: dlq },
      }),
    );
    await waitUpdated(lambda, 'flaky');
    await lambda.send(
      new PutFunctionEventInvokeConfigCommand({
        FunctionName: 'flaky',
        MaximumRetryAttempts: 1,
        DestinationConfig: { OnFailure: { Destination: onFailure } },
      }),
    );
    const res = await lambda.send(
      new InvokeCommand({
        FunctionName: 'flaky',
        InvocationType: 'Event',
        Payload: '{"fail":"x"}',
      }),
    );
    const [failure] = await receive('on-failure');
    const record = JSON.parse(failure!.Body!) as DestinationRecord;
    assert.equal(record.requestContext.condition, 'RetriesExhausted');
    assert.equal(record.requestContext.approximateInvokeCount, 2, 'one try and one retry');
    assert.equal(record.responseContext.functionError, 'Unhandled');
    assert.equal(record.responsePayload.errorMessage, 'failing on purpose: x');

    const [dead] = await receive('dead-letters');
    assert.equal(dead!.Body, '{"fail":"x"}', 'the DLQ gets the original event');
    assert.equal(dead!.MessageAttributes!.RequestID!.StringValue, res.$metadata.requestId);
    assert.equal(dead!.MessageAttributes!.ErrorCode!.StringValue, '200');
    assert.equal(dead!.MessageAttributes!.ErrorMessage!.StringValue, 'failing on purpose: x');

    // No third attempt arrives later: a retry would be due 120 ms (2 minutes scaled) after the second.
    await sleep(300);
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'on-failure' }));
    const later = await sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 1 }));
    assert.equal(later.Messages, undefined);
  });

  it('runs more events at once than its starting slots while a function mostly waits', async () => {
    await createWithOnSuccess('waits', 'e2e/slow');
    // 60 events of 200 ms: 6 s at the starting 2 slots, a fraction of that once scaled out.
    const count = 60;
    await Promise.all(
      Array.from({ length: count }, () =>
        lambda.send(new InvokeCommand({ FunctionName: 'waits', InvocationType: 'Event' })),
      ),
    );
    const runs = (await receive('waits-done', count)).map((m) => {
      const { responsePayload } = JSON.parse(m.Body!) as DestinationRecord;
      return responsePayload as { started: number; finished: number };
    });
    assert.equal(runs.length, count);
    const overlapping = Math.max(
      ...runs.map(
        (a) => runs.filter((b) => b.started <= a.started && a.started < b.finished).length,
      ),
    );
    assert.ok(overlapping > 2, `at most ${String(overlapping)} events ran at once`);
  });
});
