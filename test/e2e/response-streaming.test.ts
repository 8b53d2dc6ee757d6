import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import {
  CreateAliasCommand,
  DeleteFunctionConcurrencyCommand,
  InvokeCommand,
  InvokeWithResponseStreamCommand,
  PublishVersionCommand,
  PutFunctionConcurrencyCommand,
  type InvokeWithResponseStreamCommandInput,
  type InvokeWithResponseStreamCompleteEvent,
  type LambdaClient,
} from '@aws-sdk/client-lambda';
import { createFunction, json } from '../helpers/functions.js';
import { startServer, type RunningServer } from '../helpers/server.js';

/** Why botocore (a second, independent event-stream reader) cannot run here, if it cannot. */
const botocoreMissing = ((): string | undefined => {
  try {
    execFileSync('python3', ['-c', 'import boto3'], { stdio: 'ignore' });
    return undefined;
  } catch {
    return 'python3 with boto3 is not installed';
  }
})();

/** Streams one invocation with boto3; prints the events with milliseconds since the call. */
const BOTO3_SCRIPT = `
import boto3, json, sys, time
c = boto3.client('lambda', endpoint_url=sys.argv[1], region_name='us-east-1',
                 aws_access_key_id='test', aws_secret_access_key='test')
t0 = time.monotonic()
r = c.invoke_with_response_stream(FunctionName=sys.argv[2])
events = []
for e in r['EventStream']:
    ms = (time.monotonic() - t0) * 1000
    if 'PayloadChunk' in e:
        events.append(['chunk', e['PayloadChunk']['Payload'].decode(), ms])
    elif 'InvokeComplete' in e:
        events.append(['complete', e['InvokeComplete'], ms])
print(json.dumps({'status': r['StatusCode'], 'version': r['ExecutedVersion'], 'events': events}))
`;

/** One streamed invocation as the SDK delivers it, with when each event arrived. */
interface Streamed {
  readonly executedVersion: string | undefined;
  readonly contentType: string | undefined;
  readonly chunks: { readonly text: string; readonly at: number }[];
  readonly complete: InvokeWithResponseStreamCompleteEvent | undefined;
  readonly completeAt: number;
}

/** InvokeWithResponseStream against a real server with the real SDK (spec §1.5, §2.4). */
describe('InvokeWithResponseStream', () => {
  let server: RunningServer;
  let lambda: LambdaClient;
  before(async () => {
    server = await startServer();
    lambda = server.lambda();
    for (const [name, handler, timeout] of [
      ['stream-slow', 'index.slow', 3],
      ['stream-fails', 'index.fails', 3],
      ['stream-big', 'index.big', 30],
      ['stream-stalls', 'index.stalls', 1],
      ['stream-buffered', 'index.buffered', 3],
      ['stream-flood', 'index.flood', 30],
    ] as const) {
      await createFunction(lambda, {
        FunctionName: name,
        Runtime: 'nodejs20.x',
        Handler: handler,
        Timeout: timeout,
        MemorySize: 256,
        fixture: 'e2e/streaming',
      });
    }
  });
  after(async () => {
    assert.equal(await server.stop(), 0);
  });

  const stream = async (
    input: Omit<InvokeWithResponseStreamCommandInput, 'Payload'> & { event?: unknown },
  ): Promise<Streamed> => {
    const { event = {}, ...rest } = input;
    const res = await lambda.send(
      new InvokeWithResponseStreamCommand({ ...rest, Payload: Buffer.from(JSON.stringify(event)) }),
    );
    const chunks: Streamed['chunks'] = [];
    let complete: InvokeWithResponseStreamCompleteEvent | undefined;
    let completeAt = 0;
    for await (const message of res.EventStream ?? []) {
      if (message.PayloadChunk !== undefined) {
        chunks.push({
          text: Buffer.from(message.PayloadChunk.Payload ?? []).toString('utf8'),
          at: performance.now(),
        });
      } else if (message.InvokeComplete !== undefined) {
        complete = message.InvokeComplete;
        completeAt = performance.now();
      }
    }
    return {
      executedVersion: res.ExecutedVersion,
      contentType: res.ResponseStreamContentType,
      chunks,
      complete,
      completeAt,
    };
  };
  const text = (s: Streamed): string => s.chunks.map((c) => c.text).join('');

  it('delivers the first chunk long before the function finishes, then InvokeComplete', async () => {
    await stream({ FunctionName: 'stream-slow' }); // cold start out of the way
    const s = await stream({ FunctionName: 'stream-slow' });
    assert.equal(s.executedVersion, '$LATEST');
    assert.equal(s.contentType, 'application/vnd.amazon.eventstream');
    assert.equal(text(s), 'ab');
    assert.deepEqual(s.complete, {});
    const first = s.chunks[0];
    const last = s.chunks.at(-1);
    assert.ok(first !== undefined && last !== undefined);
    assert.ok(
      s.completeAt - first.at >= 300,
      `first chunk ${(s.completeAt - first.at).toFixed(0)} ms before the end`,
    );
    assert.ok(last.at - first.at >= 300, '"b" came 400 ms after "a"');
  });

  it('reports a mid-stream failure in InvokeComplete, after the bytes written before it', async () => {
    const s = await stream({ FunctionName: 'stream-fails' });
    assert.equal(text(s), 'partial');
    assert.equal(s.complete?.ErrorCode, 'TypeError');
    const details = JSON.parse(s.complete.ErrorDetails ?? '') as Record<string, unknown>;
    assert.equal(details.errorType, 'TypeError');
    assert.equal(details.errorMessage, 'stream broke');
    assert.equal(s.complete.LogResult, undefined);
  });

  it('delivers a function that does not stream as one chunk', async () => {
    const s = await stream({ FunctionName: 'stream-buffered', event: { n: 7 } });
    assert.equal(s.chunks.length, 1);
    assert.deepEqual(JSON.parse(text(s)), { echo: { n: 7 } });
    assert.deepEqual(s.complete, {});
  });

  it('returns the log tail in InvokeComplete with LogType Tail', async () => {
    const s = await stream({ FunctionName: 'stream-slow', LogType: 'Tail' });
    const tail = Buffer.from(s.complete?.LogResult ?? '', 'base64').toString('utf8');
    const requestId = /^START RequestId: (\S+) Version: \$LATEST$/m.exec(tail)?.[1];
    assert.ok(requestId !== undefined, tail);
    assert.match(tail, new RegExp(`\\t${requestId}\\tINFO\\tstreaming for ${requestId}$`, 'm'));
    assert.match(tail, new RegExp(`^END RequestId: ${requestId}$`, 'm'));
    assert.match(tail, new RegExp(`^REPORT RequestId: ${requestId}\\tDuration: `, 'm'));
    assert.doesNotMatch(tail, /Init Duration/, 'a warm environment was reused');
  });

  it('resolves an alias to its version, reported as the executed version', async () => {
    const published = await lambda.send(new PublishVersionCommand({ FunctionName: 'stream-slow' }));
    await lambda.send(
      new CreateAliasCommand({
        FunctionName: 'stream-slow',
        Name: 'live',
        FunctionVersion: published.Version,
      }),
    );
    const s = await stream({ FunctionName: 'stream-slow', Qualifier: 'live' });
    assert.equal(s.executedVersion, published.Version);
    assert.equal(text(s), 'ab');
    const byArn = await stream({ FunctionName: published.FunctionArn ?? '' });
    assert.equal(byArn.executedVersion, published.Version);
  });

  it('stops at 20 MiB and ends with Function.ResponseSizeTooLarge', async () => {
    const within = await stream({ FunctionName: 'stream-big', event: { megabytes: 2 } });
    assert.equal(text(within).length, 2 * 1024 * 1024);
    assert.deepEqual(within.complete, {});
    const over = await stream({ FunctionName: 'stream-big', event: { megabytes: 21 } });
    assert.equal(text(over).length, 20 * 1024 * 1024);
    assert.equal(over.complete?.ErrorCode, 'Function.ResponseSizeTooLarge');
    assert.match(over.complete.ErrorDetails ?? '', /\(20971520 bytes\)/);
  });

  it('makes a function that writes faster than its caller reads wait for it', async () => {
    const pieces = 76; // 19 MiB: more than every buffer between the function and the caller
    const res = await lambda.send(
      new InvokeWithResponseStreamCommand({
        FunctionName: 'stream-flood',
        Payload: Buffer.from(JSON.stringify({ pieces })),
      }),
    );
    await new Promise((r) => setTimeout(r, 1000));
    const readingFrom = Date.now();
    let received = '';
    for await (const message of res.EventStream ?? []) {
      received += Buffer.from(message.PayloadChunk?.Payload ?? []).toString('latin1');
    }
    const data = pieces * 256 * 1024;
    assert.equal(received.length > data, true);
    const { wroteAllAt } = JSON.parse(received.slice(data)) as { wroteAllAt: number };
    assert.ok(
      wroteAllAt >= readingFrom,
      `the function finished writing ${String(readingFrom - wroteAllAt)} ms before the caller read`,
    );
  });

  it('times out mid-stream with Sandbox.Timedout', async () => {
    const s = await stream({ FunctionName: 'stream-stalls' });
    assert.equal(text(s), 'started');
    assert.equal(s.complete?.ErrorCode, 'Sandbox.Timedout');
    assert.match(s.complete.ErrorDetails ?? '', /Task timed out after 1\.00 seconds/);
  });

  it('answers errors before the stream in JSON: unknown function, throttle, bad payload, Event', async () => {
    await assert.rejects(stream({ FunctionName: 'no-such-function' }), (err: unknown) => {
      const e = err as { name: string; $metadata: { httpStatusCode: number } };
      assert.equal(e.name, 'ResourceNotFoundException');
      assert.equal(e.$metadata.httpStatusCode, 404);
      return true;
    });
    await lambda.send(
      new PutFunctionConcurrencyCommand({
        FunctionName: 'stream-slow',
        ReservedConcurrentExecutions: 0,
      }),
    );
    await assert.rejects(stream({ FunctionName: 'stream-slow' }), (err: unknown) => {
      const e = err as { name: string; $metadata: { httpStatusCode: number } };
      assert.equal(e.name, 'TooManyRequestsException');
      assert.equal(e.$metadata.httpStatusCode, 429);
      return true;
    });
    await lambda.send(new DeleteFunctionConcurrencyCommand({ FunctionName: 'stream-slow' }));
    await assert.rejects(
      lambda.send(
        new InvokeWithResponseStreamCommand({
          FunctionName: 'stream-slow',
          Payload: Buffer.from('{not json'),
        }),
      ),
      { name: 'InvalidRequestContentException' },
    );
    // Event is Invoke's alone: this operation takes RequestResponse and DryRun only.
    await assert.rejects(
      lambda.send(
        new InvokeWithResponseStreamCommand({
          FunctionName: 'stream-slow',
          InvocationType: 'Event' as 'DryRun',
        }),
      ),
      (err: unknown) => {
        const e = err as { name: string; message: string };
        assert.equal(e.name, 'ValidationException');
        assert.match(e.message, /Member must satisfy enum value set: \[RequestResponse, DryRun\]/);
        return true;
      },
    );
  });

  it(
    'is read the same by botocore (boto3), chunk by chunk',
    { skip: botocoreMissing },
    async () => {
      const stdout = await promisify(execFile)('python3', [
        '-c',
        BOTO3_SCRIPT,
        server.url,
        'stream-slow',
      ]).then((r) => r.stdout);
      const result = JSON.parse(stdout) as {
        status: number;
        version: string;
        events: [string, unknown, number][];
      };
      assert.equal(result.status, 200);
      assert.equal(result.version, '$LATEST');
      assert.deepEqual(
        result.events.map(([kind, value]) => [kind, value]),
        [
          ['chunk', 'a'],
          ['chunk', 'b'],
          ['complete', {}],
        ],
      );
      const [a, b] = result.events.map(([, , ms]) => ms);
      assert.ok(a !== undefined && b !== undefined && b - a >= 300, `a at ${a} ms, b at ${b} ms`);
    },
  );

  it('answers DryRun with 204 and runs nothing', async () => {
    const res = await lambda.send(
      new InvokeWithResponseStreamCommand({
        FunctionName: 'stream-buffered',
        InvocationType: 'DryRun',
      }),
    );
    assert.equal(res.StatusCode, 204);
    // The function still answers a plain Invoke: DryRun left nothing behind.
    const plain = await lambda.send(new InvokeCommand({ FunctionName: 'stream-buffered' }));
    assert.deepEqual(json(plain.Payload), { echo: {} });
  });
});
