import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import {
  CreateFunctionCommand,
  GetProvisionedConcurrencyConfigCommand,
  InvokeCommand,
  PublishVersionCommand,
  PutProvisionedConcurrencyConfigCommand,
  waitUntilFunctionActiveV2,
  type GetProvisionedConcurrencyConfigCommandOutput,
  type LambdaClient,
} from '@aws-sdk/client-lambda';
import { startServer, type RunningServer } from '../helpers/server.js';
import { createFunction, json, ROLE } from '../helpers/functions.js';
import { makeZip } from '../helpers/zip.js';

/** Reports how its environment was initialized and how many invocations it served. */
const HANDLER = `let invocations = 0;
console.log('init ran');
exports.handler = async () => ({
  initializationType: process.env.AWS_LAMBDA_INITIALIZATION_TYPE,
  invocations: ++invocations,
});
`;

describe('provisioned concurrency through @aws-sdk/client-lambda', () => {
  let server: RunningServer;
  let lambda: LambdaClient;
  before(async () => {
    server = await startServer();
    lambda = server.lambda();
  });
  after(async () => {
    assert.equal(await server.stop(), 0);
  });

  /** Polls GetProvisionedConcurrencyConfig until the status leaves IN_PROGRESS. */
  const settled = async (
    name: string,
    qualifier: string,
  ): Promise<GetProvisionedConcurrencyConfigCommandOutput> => {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const config = await lambda.send(
        new GetProvisionedConcurrencyConfigCommand({ FunctionName: name, Qualifier: qualifier }),
      );
      if (config.Status !== 'IN_PROGRESS' || Date.now() > deadline) {
        return config;
      }
      await delay(50);
    }
  };

  it('warms a published version ahead of traffic: READY, then no Init Duration', async () => {
    await lambda.send(
      new CreateFunctionCommand({
        FunctionName: 'warm',
        Runtime: 'nodejs20.x',
        Handler: 'index.handler',
        Role: ROLE,
        Code: { ZipFile: makeZip({ 'index.js': HANDLER }) },
      }),
    );
    await waitUntilFunctionActiveV2(
      { client: lambda, maxWaitTime: 60, minDelay: 1 },
      { FunctionName: 'warm' },
    );
    const { Version } = await lambda.send(new PublishVersionCommand({ FunctionName: 'warm' }));
    assert.equal(Version, '1');

    const put = await lambda.send(
      new PutProvisionedConcurrencyConfigCommand({
        FunctionName: 'warm',
        Qualifier: '1',
        ProvisionedConcurrentExecutions: 2,
      }),
    );
    assert.equal(put.$metadata.httpStatusCode, 202);
    assert.equal(put.Status, 'IN_PROGRESS');
    assert.equal(put.RequestedProvisionedConcurrentExecutions, 2);

    const ready = await settled('warm', '1');
    assert.equal(ready.Status, 'READY', ready.StatusReason);
    assert.equal(ready.RequestedProvisionedConcurrentExecutions, 2);
    assert.equal(ready.AllocatedProvisionedConcurrentExecutions, 2);
    assert.equal(ready.AvailableProvisionedConcurrentExecutions, 2);

    const res = await lambda.send(
      new InvokeCommand({ FunctionName: 'warm', Qualifier: '1', LogType: 'Tail' }),
    );
    assert.equal(res.StatusCode, 200);
    assert.equal(res.ExecutedVersion, '1');
    assert.deepEqual(json(res.Payload), {
      initializationType: 'provisioned-concurrency',
      invocations: 1,
    });
    const tail = Buffer.from(res.LogResult ?? '', 'base64').toString('utf8');
    assert.match(tail, /REPORT RequestId: /);
    assert.doesNotMatch(tail, /Init Duration/);
    assert.doesNotMatch(tail, /init ran/, 'init output is not part of the invocation');

    // $LATEST is not provisioned: it starts cold, on demand.
    const latest = await lambda.send(new InvokeCommand({ FunctionName: 'warm', LogType: 'Tail' }));
    assert.deepEqual(json(latest.Payload), { initializationType: 'on-demand', invocations: 1 });
    assert.match(Buffer.from(latest.LogResult ?? '', 'base64').toString('utf8'), /Init Duration/);
  });

  it('reports FAILED with the reason when the version cannot initialize', async () => {
    await createFunction(lambda, {
      FunctionName: 'broken',
      Runtime: 'nodejs20.x',
      Handler: 'index.handler',
      fixture: 'e2e/init-error',
    });
    const { Version } = await lambda.send(new PublishVersionCommand({ FunctionName: 'broken' }));
    await lambda.send(
      new PutProvisionedConcurrencyConfigCommand({
        FunctionName: 'broken',
        Qualifier: Version,
        ProvisionedConcurrentExecutions: 1,
      }),
    );
    const failed = await settled('broken', Version ?? '1');
    assert.equal(failed.Status, 'FAILED');
    assert.equal(failed.AvailableProvisionedConcurrentExecutions, 0);
    assert.match(failed.StatusReason ?? '', /Runtime\.HandlerNotFound/);
  });
});
