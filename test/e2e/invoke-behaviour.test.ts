import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  DeleteFunctionConcurrencyCommand,
  InvokeCommand,
  PutFunctionConcurrencyCommand,
  type LambdaClient,
} from '@aws-sdk/client-lambda';
import { startServer, type RunningServer } from '../helpers/server.js';
import { createFunction, json } from '../helpers/functions.js';

/** Timeouts, crashes, out-of-memory, init errors, logs and concurrency, as Lambda reports them. */
describe('invocation behaviour', () => {
  let server: RunningServer;
  let lambda: LambdaClient;
  before(async () => {
    server = await startServer();
    lambda = server.lambda();
  });
  after(async () => {
    assert.equal(await server.stop(), 0);
  });

  const invoke = (name: string, event: unknown = {}, tail = false) =>
    lambda.send(
      new InvokeCommand({
        FunctionName: name,
        Payload: Buffer.from(JSON.stringify(event)),
        ...(tail ? { LogType: 'Tail' as const } : {}),
      }),
    );
  const tailOf = (r: { LogResult?: string | undefined }) =>
    Buffer.from(r.LogResult ?? '', 'base64').toString('utf8');

  it('writes START, the function output, END and REPORT, with Init Duration on cold starts only', async () => {
    await createFunction(lambda, {
      FunctionName: 'logs',
      Runtime: 'nodejs20.x',
      Handler: 'index.handler',
      fixture: 'e2e/node-cjs',
    });
    const cold = await invoke('logs', { n: 1 }, true);
    const log = tailOf(cold);
    const requestId = (json(cold.Payload) as { requestId: string }).requestId;
    assert.match(log, new RegExp(`^START RequestId: ${requestId} Version: \\$LATEST$`, 'm'));
    assert.match(
      log,
      new RegExp(`^\\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z\\t${requestId}\\tINFO\\tgot event {"n":1}$`, 'm'),
    );
    assert.match(log, new RegExp(`^END RequestId: ${requestId}$`, 'm'));
    assert.match(
      log,
      new RegExp(
        `^REPORT RequestId: ${requestId}\\tDuration: \\d+\\.\\d\\d ms\\tBilled Duration: \\d+ ms\\tMemory Size: 128 MB\\tMax Memory Used: \\d+ MB\\tInit Duration: \\d+\\.\\d\\d ms\\t$`,
        'm',
      ),
    );
    const warm = tailOf(await invoke('logs', {}, true));
    assert.match(warm, /^REPORT .*Max Memory Used: \d+ MB\t$/m);
    assert.doesNotMatch(warm, /Init Duration/);
  });

  it('times out with Sandbox.Timedout and starts a fresh environment next time', async () => {
    await createFunction(lambda, {
      FunctionName: 'sleepy',
      Runtime: 'nodejs20.x',
      Handler: 'index.handler',
      Timeout: 1,
      fixture: 'e2e/timeout',
    });
    const started = Date.now();
    const res = await invoke('sleepy', {}, true);
    assert.ok(Date.now() - started < 5000);
    assert.equal(res.FunctionError, 'Unhandled');
    const err = json(res.Payload) as { errorType: string; errorMessage: string };
    assert.equal(err.errorType, 'Sandbox.Timedout');
    assert.match(err.errorMessage, /^RequestId: \S+ Error: Task timed out after 1\.00 seconds$/);
    assert.match(tailOf(res), /Status: timeout/);
    const again = tailOf(await invoke('sleepy', {}, true));
    assert.match(again, /Init Duration/, 'the timed-out environment was replaced');
  });

  it('reports a crash as Runtime.ExitError', async () => {
    await createFunction(lambda, {
      FunctionName: 'crashy',
      Runtime: 'nodejs20.x',
      Handler: 'index.handler',
      fixture: 'e2e/crash',
    });
    const res = await invoke('crashy');
    assert.equal(res.FunctionError, 'Unhandled');
    const err = json(res.Payload) as { errorType: string; errorMessage: string };
    assert.equal(err.errorType, 'Runtime.ExitError');
    assert.match(
      err.errorMessage,
      /^RequestId: \S+ Error: Runtime exited with error: exit status 3$/,
    );
  });

  it('reports a missing handler as Runtime.HandlerNotFound', async () => {
    await createFunction(lambda, {
      FunctionName: 'nohandler',
      Runtime: 'nodejs20.x',
      Handler: 'index.handler',
      fixture: 'e2e/init-error',
    });
    const res = await invoke('nohandler');
    assert.equal(res.FunctionError, 'Unhandled');
    const err = json(res.Payload) as { errorType: string; errorMessage: string };
    assert.equal(err.errorType, 'Runtime.HandlerNotFound');
    assert.match(err.errorMessage, /index\.handler is undefined or not exported/);
  });

  it('reports a missing module as Runtime.ImportModuleError', async () => {
    await createFunction(lambda, {
      FunctionName: 'nomodule',
      Runtime: 'nodejs20.x',
      Handler: 'missing.handler',
      fixture: 'e2e/init-error',
    });
    const err = json((await invoke('nomodule')).Payload) as { errorType: string };
    assert.equal(err.errorType, 'Runtime.ImportModuleError');
  });

  it('runs ten parallel invocations of a 200 ms function together on ten environments', async () => {
    await createFunction(lambda, {
      FunctionName: 'slow',
      Runtime: 'nodejs20.x',
      Handler: 'index.handler',
      fixture: 'e2e/slow',
    });
    const batch = async () =>
      (await Promise.all(Array.from({ length: 10 }, () => invoke('slow')))).map(
        (r) => json(r.Payload) as { environment: string; started: number; finished: number },
      );
    const cold = await batch();
    assert.equal(new Set(cold.map((b) => b.environment)).size, 10, 'ten distinct environments');
    const warm = await batch();
    assert.deepEqual(
      new Set(warm.map((b) => b.environment)),
      new Set(cold.map((b) => b.environment)),
      'the second burst reuses the ten warm environments',
    );
    // Every handler started before any finished: the ten ran at the same time, none queued.
    const lastStart = Math.max(...warm.map((b) => b.started));
    const firstFinish = Math.min(...warm.map((b) => b.finished));
    assert.ok(
      lastStart < firstFinish,
      `serialized: a handler started at ${lastStart}, one finished at ${firstFinish}`,
    );
  });

  it('answers DryRun with 204 and delivers ClientContext to the handler', async () => {
    await createFunction(lambda, {
      FunctionName: 'ctx',
      Runtime: 'nodejs20.x',
      Handler: 'index.handler',
      fixture: 'e2e/node-cjs',
    });
    const dry = await lambda.send(
      new InvokeCommand({ FunctionName: 'ctx', InvocationType: 'DryRun' }),
    );
    assert.equal(dry.StatusCode, 204);
    const clientContext = { custom: { tenant: 't1' }, client: { app_title: 'x' } };
    const res = await lambda.send(
      new InvokeCommand({
        FunctionName: 'ctx',
        ClientContext: Buffer.from(JSON.stringify(clientContext)).toString('base64'),
      }),
    );
    const body = json(res.Payload) as { clientContext: unknown; echo: unknown };
    assert.deepEqual(body.echo, {}, 'an empty payload is the event {}');
    assert.deepEqual((body.clientContext as { custom: unknown }).custom, { tenant: 't1' });
  });

  it('throttles with 429 and AWS Reason when reserved concurrency is 0', async () => {
    await lambda.send(
      new PutFunctionConcurrencyCommand({ FunctionName: 'ctx', ReservedConcurrentExecutions: 0 }),
    );
    await assert.rejects(
      invoke('ctx'),
      (err: Error & { $metadata?: { httpStatusCode?: number }; Reason?: string }) => {
        assert.equal(err.name, 'TooManyRequestsException');
        assert.equal(err.$metadata?.httpStatusCode, 429);
        assert.equal(err.Reason, 'ReservedFunctionConcurrentInvocationLimitExceeded');
        return true;
      },
    );
    await lambda.send(new DeleteFunctionConcurrencyCommand({ FunctionName: 'ctx' }));
    assert.equal((await invoke('ctx')).StatusCode, 200);
  });

  it('rejects a payload that is not JSON with InvalidRequestContentException', async () => {
    await assert.rejects(
      lambda.send(new InvokeCommand({ FunctionName: 'ctx', Payload: Buffer.from('{nope') })),
      { name: 'InvalidRequestContentException' },
    );
  });

  it('kills a function that runs out of memory and keeps the others serving', async () => {
    await createFunction(lambda, {
      FunctionName: 'hog',
      Runtime: 'nodejs20.x',
      Handler: 'index.handler',
      MemorySize: 128,
      fixture: 'e2e/oom',
    });
    const res = await invoke('hog', { explode: true }, true);
    assert.equal(res.FunctionError, 'Unhandled');
    const err = json(res.Payload) as { errorType: string };
    assert.match(err.errorType, /^Runtime\.(OutOfMemory|ExitError)$/);
    assert.equal(json((await invoke('hog', {})).Payload), 'fine');
    assert.deepEqual(
      (json((await invoke('ctx', { still: 'up' })).Payload) as { echo: unknown }).echo,
      { still: 'up' },
    );
  });
});
