import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  AddLayerVersionPermissionCommand,
  CreateAliasCommand,
  CreateFunctionCommand,
  DeleteFunctionConcurrencyCommand,
  DeleteLayerVersionCommand,
  DeleteProvisionedConcurrencyConfigCommand,
  GetAccountSettingsCommand,
  GetFunctionCommand,
  GetFunctionConcurrencyCommand,
  GetLayerVersionByArnCommand,
  GetLayerVersionCommand,
  GetLayerVersionPolicyCommand,
  GetProvisionedConcurrencyConfigCommand,
  InvalidParameterValueException,
  ListLayersCommand,
  ListLayerVersionsCommand,
  ListProvisionedConcurrencyConfigsCommand,
  ProvisionedConcurrencyConfigNotFoundException,
  PublishLayerVersionCommand,
  PublishVersionCommand,
  PutFunctionConcurrencyCommand,
  PutProvisionedConcurrencyConfigCommand,
  RemoveLayerVersionPermissionCommand,
  ResourceNotFoundException,
  UpdateFunctionConfigurationCommand,
} from '@aws-sdk/client-lambda';
import { HELLO_ZIP, ROLE, makeZip } from '../control/helpers.js';
import { startRegistryApi } from './registry-api.js';

const ARN = 'arn:aws:lambda:us-east-1:123456789012:function';
const LAYER = 'arn:aws:lambda:us-east-1:123456789012:layer';

test('reserved and provisioned concurrency through the SDK: status codes and errors', async (t) => {
  const api = await startRegistryApi(t);
  await api.client.send(
    new CreateFunctionCommand({
      FunctionName: 'f',
      Role: ROLE,
      Runtime: 'nodejs20.x',
      Handler: 'index.handler',
      Code: { ZipFile: HELLO_ZIP },
    }),
  );
  await api.settle();
  const put = await api.client.send(
    new PutFunctionConcurrencyCommand({ FunctionName: 'f', ReservedConcurrentExecutions: 10 }),
  );
  assert.equal(put.$metadata.httpStatusCode, 200);
  assert.equal(put.ReservedConcurrentExecutions, 10);
  const got = await api.client.send(new GetFunctionConcurrencyCommand({ FunctionName: 'f' }));
  assert.equal(got.ReservedConcurrentExecutions, 10);
  const fn = await api.client.send(new GetFunctionCommand({ FunctionName: 'f' }));
  assert.deepEqual(fn.Concurrency, { ReservedConcurrentExecutions: 10 });
  const settings = await api.client.send(new GetAccountSettingsCommand({}));
  assert.equal(settings.AccountLimit?.UnreservedConcurrentExecutions, 990);
  await assert.rejects(
    api.client.send(
      new PutFunctionConcurrencyCommand({ FunctionName: 'f', ReservedConcurrentExecutions: 901 }),
    ),
    (error: unknown) => {
      assert.ok(error instanceof InvalidParameterValueException);
      assert.equal(
        error.message,
        "Specified ReservedConcurrentExecutions for function decreases account's UnreservedConcurrentExecution below its minimum value of [100].",
      );
      return true;
    },
  );

  await api.client.send(new PublishVersionCommand({ FunctionName: 'f' }));
  await api.client.send(
    new CreateAliasCommand({ FunctionName: 'f', Name: 'live', FunctionVersion: '1' }),
  );
  const provisioned = await api.client.send(
    new PutProvisionedConcurrencyConfigCommand({
      FunctionName: 'f',
      Qualifier: 'live',
      ProvisionedConcurrentExecutions: 2,
    }),
  );
  assert.equal(provisioned.$metadata.httpStatusCode, 202);
  assert.equal(provisioned.Status, 'IN_PROGRESS');
  assert.equal(provisioned.RequestedProvisionedConcurrentExecutions, 2);
  await api.registry.setProvisionedConcurrencyStatus('f', '1', {
    allocated: 2,
    available: 2,
    status: 'READY',
  });
  const ready = await api.client.send(
    new GetProvisionedConcurrencyConfigCommand({ FunctionName: 'f', Qualifier: 'live' }),
  );
  assert.equal(ready.Status, 'READY');
  assert.equal(ready.AvailableProvisionedConcurrentExecutions, 2);
  const list = await api.client.send(
    new ListProvisionedConcurrencyConfigsCommand({ FunctionName: 'f' }),
  );
  assert.deepEqual(
    list.ProvisionedConcurrencyConfigs?.map((c) => c.FunctionArn),
    [`${ARN}:f:live`],
  );
  const deleted = await api.client.send(
    new DeleteProvisionedConcurrencyConfigCommand({ FunctionName: 'f', Qualifier: 'live' }),
  );
  assert.equal(deleted.$metadata.httpStatusCode, 204);
  await assert.rejects(
    api.client.send(
      new GetProvisionedConcurrencyConfigCommand({ FunctionName: 'f', Qualifier: 'live' }),
    ),
    (error: unknown) => {
      assert.ok(error instanceof ProvisionedConcurrencyConfigNotFoundException);
      assert.equal(error.$metadata.httpStatusCode, 404);
      return true;
    },
  );
  const removed = await api.client.send(
    new DeleteFunctionConcurrencyCommand({ FunctionName: 'f' }),
  );
  assert.equal(removed.$metadata.httpStatusCode, 204);
  const none = await api.client.send(new GetFunctionConcurrencyCommand({ FunctionName: 'f' }));
  assert.equal(none.ReservedConcurrentExecutions, undefined);
});

test('layers through the SDK: publish (201), read, list, permissions, delete (204)', async (t) => {
  const api = await startRegistryApi(t);
  const zip = makeZip({ 'nodejs/node_modules/greet/index.js': 'module.exports = "hi";' });
  const published = await api.client.send(
    new PublishLayerVersionCommand({
      LayerName: 'greet',
      Content: { ZipFile: zip },
      CompatibleRuntimes: ['nodejs20.x'],
      CompatibleArchitectures: ['x86_64'],
    }),
  );
  assert.equal(published.$metadata.httpStatusCode, 201);
  assert.equal(published.Version, 1);
  assert.equal(published.LayerVersionArn, `${LAYER}:greet:1`);
  assert.equal(published.Content?.CodeSize, zip.length);
  // Content.Location serves the package (the endpoint is the registry's; the path is ours).
  const location = new URL(published.Content.Location ?? '');
  const download = await fetch(`${api.url}${location.pathname}`);
  assert.deepEqual(Buffer.from(await download.arrayBuffer()), zip);

  const byName = await api.client.send(
    new GetLayerVersionCommand({ LayerName: 'greet', VersionNumber: 1 }),
  );
  assert.equal(byName.LayerArn, `${LAYER}:greet`);
  const byArn = await api.client.send(new GetLayerVersionByArnCommand({ Arn: `${LAYER}:greet:1` }));
  assert.deepEqual({ ...byArn, $metadata: undefined }, { ...byName, $metadata: undefined });
  const layers = await api.client.send(new ListLayersCommand({ CompatibleRuntime: 'nodejs20.x' }));
  assert.deepEqual(
    layers.Layers?.map((l) => [l.LayerName, l.LatestMatchingVersion?.Version]),
    [['greet', 1]],
  );
  const none = await api.client.send(new ListLayersCommand({ CompatibleRuntime: 'python3.12' }));
  assert.deepEqual(none.Layers, []);
  await api.client.send(
    new PublishLayerVersionCommand({ LayerName: 'greet', Content: { ZipFile: zip } }),
  );
  const versions = await api.client.send(new ListLayerVersionsCommand({ LayerName: 'greet' }));
  assert.deepEqual(
    versions.LayerVersions?.map((v) => v.Version),
    [2, 1],
  );

  const permission = await api.client.send(
    new AddLayerVersionPermissionCommand({
      LayerName: 'greet',
      VersionNumber: 1,
      StatementId: 'everyone',
      Action: 'lambda:GetLayerVersion',
      Principal: '*',
    }),
  );
  assert.equal(permission.$metadata.httpStatusCode, 201);
  const policy = await api.client.send(
    new GetLayerVersionPolicyCommand({ LayerName: 'greet', VersionNumber: 1 }),
  );
  assert.equal(policy.RevisionId, permission.RevisionId);
  assert.equal(
    (JSON.parse(policy.Policy ?? '') as { Statement: { Sid: string }[] }).Statement[0]?.Sid,
    'everyone',
  );
  const revoked = await api.client.send(
    new RemoveLayerVersionPermissionCommand({
      LayerName: 'greet',
      VersionNumber: 1,
      StatementId: 'everyone',
      RevisionId: policy.RevisionId,
    }),
  );
  assert.equal(revoked.$metadata.httpStatusCode, 204);

  // A function uses it; deleting the layer version leaves the function as it is.
  await api.client.send(
    new CreateFunctionCommand({
      FunctionName: 'f',
      Role: ROLE,
      Runtime: 'nodejs20.x',
      Handler: 'index.handler',
      Code: { ZipFile: HELLO_ZIP },
      Layers: [`${LAYER}:greet:1`],
    }),
  );
  await api.settle();
  const deleted = await api.client.send(
    new DeleteLayerVersionCommand({ LayerName: 'greet', VersionNumber: 1 }),
  );
  assert.equal(deleted.$metadata.httpStatusCode, 204);
  const fn = await api.client.send(new GetFunctionCommand({ FunctionName: 'f' }));
  assert.deepEqual(fn.Configuration?.Layers, [{ Arn: `${LAYER}:greet:1`, CodeSize: zip.length }]);
  await assert.rejects(
    api.client.send(new GetLayerVersionCommand({ LayerName: 'greet', VersionNumber: 1 })),
    (error: unknown) => {
      assert.ok(error instanceof ResourceNotFoundException);
      assert.equal(error.message, 'The resource you requested does not exist.');
      return true;
    },
  );
  await assert.rejects(
    api.client.send(
      new UpdateFunctionConfigurationCommand({ FunctionName: 'f', Layers: [`${LAYER}:greet:1`] }),
    ),
    (error: unknown) => {
      assert.ok(error instanceof InvalidParameterValueException);
      assert.equal(error.message, `Layer version ${LAYER}:greet:1 does not exist.`);
      return true;
    },
  );
});
