import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  DeleteFunctionCommand,
  GetFunctionCommand,
  InvokeCommand,
  UpdateFunctionCodeCommand,
  UpdateFunctionConfigurationCommand,
  type LambdaClient,
} from '@aws-sdk/client-lambda';
import { startServer, type RunningServer } from '../helpers/server.js';
import { createFunction, json, waitUpdated, zipFixture } from '../helpers/functions.js';

/** Create, invoke, update, invoke again, delete — per runtime, through the real AWS SDK. */
describe('function lifecycle through @aws-sdk/client-lambda', () => {
  let server: RunningServer;
  let lambda: LambdaClient;
  before(async () => {
    server = await startServer();
    lambda = server.lambda();
  });
  after(async () => {
    assert.equal(await server.stop(), 0);
  });

  const invoke = async (name: string, event: unknown = {}) =>
    lambda.send(
      new InvokeCommand({ FunctionName: name, Payload: Buffer.from(JSON.stringify(event)) }),
    );

  it('Node.js CommonJS: create, invoke, update code and configuration, delete', async () => {
    await createFunction(lambda, {
      FunctionName: 'node-cjs',
      fixture: 'e2e/node-cjs',
      Runtime: 'nodejs20.x',
      Handler: 'index.handler',
      Environment: { Variables: { STAGE: 'one' } },
    });
    const first = await invoke('node-cjs', { hello: 'world' });
    assert.equal(first.StatusCode, 200);
    assert.equal(
      (json(first.Payload) as { requestId: string }).requestId,
      first.$metadata.requestId,
      'the Invoke request id is the invocation request id',
    );
    assert.equal(first.ExecutedVersion, '$LATEST');
    assert.equal(first.FunctionError, undefined);
    const body = json(first.Payload) as Record<string, unknown>;
    assert.deepEqual(body.echo, { hello: 'world' });
    assert.equal(body.functionName, 'node-cjs');
    assert.equal(body.memoryLimitInMB, '128');
    assert.equal(body.stage, 'one');
    assert.ok((body.remaining as number) > 2000 && (body.remaining as number) <= 3000);

    // Warm: the same environment serves the next invocation, so module state survives.
    const second = json((await invoke('node-cjs')).Payload) as Record<string, unknown>;
    assert.equal(second.invocations, 2);

    await lambda.send(
      new UpdateFunctionConfigurationCommand({
        FunctionName: 'node-cjs',
        Environment: { Variables: { STAGE: 'two' } },
      }),
    );
    await waitUpdated(lambda, 'node-cjs');
    const third = json((await invoke('node-cjs')).Payload) as Record<string, unknown>;
    assert.equal(third.stage, 'two', 'a configuration change reaches the next invocation');
    assert.equal(third.invocations, 1, 'a changed function never runs in an old environment');

    await lambda.send(
      new UpdateFunctionCodeCommand({
        FunctionName: 'node-cjs',
        ZipFile: zipFixture('e2e/node-esm'),
      }),
    );
    await waitUpdated(lambda, 'node-cjs');
    await lambda.send(
      new UpdateFunctionConfigurationCommand({
        FunctionName: 'node-cjs',
        Handler: 'index.handler',
      }),
    );
    await waitUpdated(lambda, 'node-cjs');
    const fourth = json((await invoke('node-cjs', { n: 4 })).Payload) as Record<string, unknown>;
    assert.equal(fourth.esm, true, 'new code runs after UpdateFunctionCode');

    await lambda.send(new DeleteFunctionCommand({ FunctionName: 'node-cjs' }));
    await assert.rejects(invoke('node-cjs'), { name: 'ResourceNotFoundException' });
    await assert.rejects(lambda.send(new GetFunctionCommand({ FunctionName: 'node-cjs' })), {
      name: 'ResourceNotFoundException',
    });
  });

  it('Node.js ES module: results and handler errors', async () => {
    await createFunction(lambda, {
      FunctionName: 'node-esm',
      fixture: 'e2e/node-esm',
      Runtime: 'nodejs22.x',
      Handler: 'index.handler',
    });
    const ok = await invoke('node-esm', { a: 1 });
    assert.deepEqual(json(ok.Payload), { esm: true, echo: { a: 1 } });
    const failed = await invoke('node-esm', { fail: 'please' });
    assert.equal(failed.StatusCode, 200);
    assert.equal(failed.FunctionError, 'Unhandled');
    const err = json(failed.Payload) as Record<string, unknown>;
    assert.equal(err.errorType, 'Error');
    assert.equal(err.errorMessage, 'asked to fail: please');
    assert.ok(Array.isArray(err.trace));
  });

  it('Python: handler, context and logging', async () => {
    await createFunction(lambda, {
      FunctionName: 'py',
      fixture: 'e2e/python',
      Runtime: 'python3.11',
      Handler: 'lambda_function.handler',
      Environment: { Variables: { STAGE: 'py' } },
    });
    const res = await lambda.send(
      new InvokeCommand({ FunctionName: 'py', Payload: Buffer.from('{"x":1}'), LogType: 'Tail' }),
    );
    const body = json(res.Payload) as Record<string, unknown>;
    assert.equal(body.python, true);
    assert.deepEqual(body.echo, { x: 1 });
    assert.equal(body.function_name, 'py');
    assert.equal(body.stage, 'py');
    const log = Buffer.from(res.LogResult ?? '', 'base64').toString('utf8');
    assert.match(log, /printed from python/);
    assert.match(log, new RegExp(`\\[INFO\\]\\t\\S+\\t${String(body.request_id)}\\tpython got`));
    assert.match(log, /^REPORT RequestId: \S+\tDuration: [\d.]+ ms\tBilled Duration: \d+ ms\t/m);
  });

  it('provided.al2023: any bootstrap executable', async () => {
    await createFunction(lambda, {
      FunctionName: 'custom',
      fixture: 'e2e/provided',
      Runtime: 'provided.al2023',
      Handler: 'my.handler',
    });
    const res = await invoke('custom', { y: 2 });
    assert.deepEqual(json(res.Payload), { provided: true, echo: { y: 2 }, handler: 'my.handler' });
  });
});
