import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { request, Agent } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  PutFunctionConcurrencyCommand,
  DeleteFunctionConcurrencyCommand,
  PutFunctionEventInvokeConfigCommand,
} from '@aws-sdk/client-lambda';
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { createFunction } from '../helpers/functions.js';
import { startServer, type RunningServer } from '../helpers/server.js';

const QUEUE_ARN = 'arn:aws:sqs:us-east-1:000000000000:delivered';

/** Sends one Event invoke over a raw keep-alive connection; resolves with its request id on 202. */
function sendEvent(url: string, agent: Agent, n: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const { hostname, port } = new URL(url);
    const req = request(
      {
        host: hostname,
        port,
        method: 'POST',
        path: '/2015-03-31/functions/counted/invocations',
        agent,
        headers: { 'x-amz-invocation-type': 'Event' },
      },
      (res) => {
        res.resume();
        const id = res.headers['x-amzn-requestid'];
        resolve(res.statusCode === 202 && typeof id === 'string' ? id : undefined);
      },
    );
    req.on('error', () => {
      resolve(undefined);
    });
    req.end(JSON.stringify({ n }));
  });
}

/** Every request id whose success record reached the queue (duplicates kept). */
async function drain(server: RunningServer, expected: number): Promise<string[]> {
  const sqs = new SQSClient({
    endpoint: server.url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'delivered' }));
  const ids: string[] = [];
  let idle = 0;
  while (idle < 15 && ids.length < expected * 2) {
    const r = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
    );
    const messages = r.Messages ?? [];
    idle = messages.length === 0 ? idle + 1 : 0;
    for (const m of messages) {
      ids.push(
        (JSON.parse(m.Body!) as { requestContext: { requestId: string } }).requestContext.requestId,
      );
    }
    if (messages.length > 0) {
      await sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl,
          Entries: messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })),
        }),
      );
    }
  }
  sqs.destroy();
  return ids;
}

describe('asynchronous invocation across a crash', () => {
  it('runs every accepted event at least once after kill -9 and a restart', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'fogbank-async-crash-'));
    const env = { FOGBANK_ASYNC_TIME_SCALE: '0.001' };
    const servers: RunningServer[] = [];
    try {
      const first = await startServer({ dataDir, env });
      servers.push(first);
      const lambda = first.lambda();
      const sqs = new SQSClient({
        endpoint: first.url,
        region: 'us-east-1',
        credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      });
      await sqs.send(new CreateQueueCommand({ QueueName: 'delivered' }));
      sqs.destroy();
      await createFunction(lambda, {
        FunctionName: 'counted',
        Runtime: 'nodejs20.x',
        Handler: 'index.handler',
        fixture: 'e2e/flaky',
      });
      await lambda.send(
        new PutFunctionEventInvokeConfigCommand({
          FunctionName: 'counted',
          DestinationConfig: { OnSuccess: { Destination: QUEUE_ARN } },
        }),
      );
      // Reserved concurrency 0 holds the events in the queue: throttled, not lost.
      await lambda.send(
        new PutFunctionConcurrencyCommand({
          FunctionName: 'counted',
          ReservedConcurrentExecutions: 0,
        }),
      );
      const agent = new Agent({ keepAlive: true, maxSockets: 32 });
      const accepted: string[] = [];
      const total = 2000;
      let next = 0;
      const sender = async (): Promise<void> => {
        while (next < total) {
          const id = await sendEvent(first.url, agent, next++);
          if (id) {
            accepted.push(id);
          }
        }
      };
      const sending = Promise.all(Array.from({ length: 32 }, sender));
      // Lift the throttle while events are still arriving, then crash mid-stream.
      while (accepted.length < total / 2) {
        await new Promise((r) => setTimeout(r, 10));
      }
      await lambda.send(new DeleteFunctionConcurrencyCommand({ FunctionName: 'counted' }));
      while (accepted.length < (total * 3) / 4) {
        await new Promise((r) => setTimeout(r, 10));
      }
      await first.kill();
      await sending;
      agent.destroy();
      assert.ok(accepted.length >= (total * 3) / 4, `only ${accepted.length} events were accepted`);

      const second = await startServer({ dataDir, env });
      servers.push(second);
      const delivered = await drain(second, accepted.length);
      const unique = new Set(delivered);
      const lost = accepted.filter((id) => !unique.has(id));
      assert.deepEqual(lost, [], `${lost.length} of ${accepted.length} accepted events never ran`);
      const duplicates = delivered.length - unique.size;
      // At least once, not exactly once: report how many ran twice because of the crash.
      process.stdout.write(
        `# accepted ${accepted.length}, delivered ${delivered.length}, duplicates ${duplicates}\n`,
      );
      assert.equal(await second.stop(), 0);
    } finally {
      for (const s of servers) {
        if (s.process.exitCode === null && s.process.signalCode === null) {
          await s.kill();
        }
      }
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
