/**
 * Versions, aliases and layers as an invocation sees them, through a real `fogbank server` and
 * the real SDK: X-Amz-Executed-Version follows the alias weights, a shift applies to the next
 * invocation, and layer code is importable from /opt as on Lambda.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  CreateAliasCommand,
  CreateFunctionCommand,
  InvokeCommand,
  PublishLayerVersionCommand,
  PublishVersionCommand,
  UpdateAliasCommand,
  UpdateFunctionCodeCommand,
  waitUntilFunctionActiveV2,
  type LambdaClient,
} from '@aws-sdk/client-lambda';
import { makeZip } from '../control/helpers.js';
import { ROLE, waitUpdated } from '../helpers/functions.js';
import { startServer, type RunningServer } from '../helpers/server.js';

function handler(tag: string): Buffer {
  return makeZip({
    'index.js': `exports.handler = async () => ({ tag: ${JSON.stringify(tag)}, version: process.env.AWS_LAMBDA_FUNCTION_VERSION });`,
  });
}

describe('aliases, versions and layers through a real server', () => {
  let server: RunningServer;
  let lambda: LambdaClient;
  before(async () => {
    server = await startServer();
    lambda = server.lambda();
  });
  after(async () => {
    assert.equal(await server.stop(), 0);
  });

  const create = async (name: string, input: Record<string, unknown>): Promise<void> => {
    await lambda.send(
      new CreateFunctionCommand({
        FunctionName: name,
        Role: ROLE,
        Runtime: 'nodejs20.x',
        Handler: 'index.handler',
        Code: { ZipFile: handler('one') },
        ...input,
      }),
    );
    await waitUntilFunctionActiveV2(
      { client: lambda, maxWaitTime: 60, minDelay: 1 },
      { FunctionName: name },
    );
  };

  const invoke = async (name: string, qualifier?: string) => {
    const out = await lambda.send(
      new InvokeCommand({ FunctionName: name, ...(qualifier && { Qualifier: qualifier }) }),
    );
    assert.equal(out.FunctionError, undefined, Buffer.from(out.Payload ?? []).toString());
    const body = JSON.parse(Buffer.from(out.Payload ?? []).toString()) as Record<string, string>;
    return { executed: out.ExecutedVersion, body };
  };

  it('routes alias invocations by weight and applies a shift at the next invocation', async () => {
    await create('weighted', {});
    await lambda.send(new PublishVersionCommand({ FunctionName: 'weighted' }));
    await lambda.send(
      new UpdateFunctionCodeCommand({ FunctionName: 'weighted', ZipFile: handler('two') }),
    );
    await waitUpdated(lambda, 'weighted');
    await lambda.send(new PublishVersionCommand({ FunctionName: 'weighted' }));
    await lambda.send(
      new CreateAliasCommand({
        FunctionName: 'weighted',
        Name: 'live',
        FunctionVersion: '1',
        RoutingConfig: { AdditionalVersionWeights: { '2': 0.3 } },
      }),
    );
    let two = 0;
    const n = 300;
    for (let i = 0; i < n; i++) {
      const { executed, body } = await invoke('weighted', 'live');
      // The version that ran is the one reported, with its own code and variables.
      assert.equal(body.version, executed);
      assert.equal(body.tag, executed === '2' ? 'two' : 'one');
      if (executed === '2') {
        two++;
      }
    }
    // p = 0.3 over 300: mean 90, standard deviation ≈ 7.9; the band is over 5 sigma wide.
    assert.ok(two > 45 && two < 135, `version 2 ran ${String(two)} times of ${String(n)}`);

    await lambda.send(
      new UpdateAliasCommand({
        FunctionName: 'weighted',
        Name: 'live',
        FunctionVersion: '2',
        RoutingConfig: { AdditionalVersionWeights: {} },
      }),
    );
    for (let i = 0; i < 20; i++) {
      assert.equal((await invoke('weighted', 'live')).executed, '2');
    }
    assert.equal((await invoke('weighted:1')).body.tag, 'one');
    assert.equal((await invoke('weighted')).executed, '$LATEST');
  });

  it('keeps environments warm across alias shifts and drains those an update made stale', async () => {
    // Each environment answers with the log stream it writes to: one per environment.
    const stream = makeZip({
      'index.js':
        'exports.handler = async () => ({ tag: process.env.AWS_LAMBDA_LOG_STREAM_NAME, version: process.env.AWS_LAMBDA_FUNCTION_VERSION });',
    });
    await create('warm', { Code: { ZipFile: stream } });
    await lambda.send(new PublishVersionCommand({ FunctionName: 'warm' }));
    await lambda.send(
      new CreateAliasCommand({ FunctionName: 'warm', Name: 'live', FunctionVersion: '1' }),
    );
    const first = (await invoke('warm', 'live')).body.tag;
    const latest = (await invoke('warm')).body.tag;
    await lambda.send(
      new UpdateAliasCommand({ FunctionName: 'warm', Name: 'live', Description: 'shifted' }),
    );
    await lambda.send(new PublishVersionCommand({ FunctionName: 'warm' }));
    assert.equal((await invoke('warm', 'live')).body.tag, first);
    assert.equal((await invoke('warm')).body.tag, latest);

    await lambda.send(new UpdateFunctionCodeCommand({ FunctionName: 'warm', ZipFile: stream }));
    await waitUpdated(lambda, 'warm');
    assert.equal((await invoke('warm', 'live')).body.tag, first);
    assert.notEqual((await invoke('warm')).body.tag, latest);
  });

  it('mounts layers under /opt: Node resolves /opt/nodejs/node_modules, Python /opt/python', async () => {
    const nodeLayer = await lambda.send(
      new PublishLayerVersionCommand({
        LayerName: 'node-greet',
        Content: {
          ZipFile: makeZip({
            'nodejs/node_modules/greet/index.js': 'module.exports = "first";',
            'nodejs/node_modules/only-first/index.js': 'module.exports = "first";',
          }),
        },
      }),
    );
    const overlay = await lambda.send(
      new PublishLayerVersionCommand({
        LayerName: 'overlay',
        Content: {
          ZipFile: makeZip({ 'nodejs/node_modules/greet/index.js': 'module.exports = "second";' }),
        },
      }),
    );
    await create('with-layers', {
      Code: {
        ZipFile: makeZip({
          'index.js':
            'exports.handler = async () => ({ greet: require("greet"), onlyFirst: require("only-first") });',
        }),
      },
      Layers: [nodeLayer.LayerVersionArn, overlay.LayerVersionArn],
    });
    const node = await invoke('with-layers');
    // Later layers overwrite earlier ones; what they do not overwrite stays.
    assert.equal(node.body.greet, 'second');
    assert.equal(node.body.onlyFirst, 'first');

    const pyLayer = await lambda.send(
      new PublishLayerVersionCommand({
        LayerName: 'py-greet',
        Content: { ZipFile: makeZip({ 'python/greet.py': 'GREETING = "from a python layer"\n' }) },
        CompatibleRuntimes: ['python3.12'],
      }),
    );
    await create('py-layers', {
      Runtime: 'python3.12',
      Handler: 'lambda_function.handler',
      Code: {
        ZipFile: makeZip({
          'lambda_function.py':
            'import greet\n\ndef handler(event, context):\n    return {"greet": greet.GREETING}\n',
        }),
      },
      Layers: [pyLayer.LayerVersionArn],
    });
    assert.equal((await invoke('py-layers')).body.greet, 'from a python layer');
  });
});
