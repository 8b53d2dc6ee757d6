import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  CreateAliasCommand,
  CreateFunctionCommand,
  DeleteAliasCommand,
  DeleteFunctionCommand,
  GetAliasCommand,
  GetFunctionCommand,
  PreconditionFailedException,
  PublishVersionCommand,
  ResourceConflictException,
  ResourceNotFoundException,
  UpdateAliasCommand,
  UpdateFunctionConfigurationCommand,
  paginateListAliases,
  paginateListVersionsByFunction,
} from '@aws-sdk/client-lambda';
import { HELLO_ZIP, ROLE } from '../control/helpers.js';
import { startRegistryApi, type RegistryApi } from './registry-api.js';

const ARN = 'arn:aws:lambda:us-east-1:123456789012:function';

async function withFunction(api: RegistryApi): Promise<void> {
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
}

test('PublishVersion (201) and ListVersionsByFunction through the SDK and its paginator', async (t) => {
  const api = await startRegistryApi(t);
  await withFunction(api);
  const v1 = await api.client.send(
    new PublishVersionCommand({ FunctionName: 'f', Description: 'one' }),
  );
  assert.equal(v1.$metadata.httpStatusCode, 201);
  assert.equal(v1.Version, '1');
  assert.equal(v1.FunctionArn, `${ARN}:f:1`);
  for (let i = 0; i < 3; i++) {
    await api.client.send(
      new UpdateFunctionConfigurationCommand({ FunctionName: 'f', Timeout: 10 + i }),
    );
    await api.settle();
    await api.client.send(new PublishVersionCommand({ FunctionName: `${ARN}:f` }));
  }
  const seen: string[] = [];
  for await (const page of paginateListVersionsByFunction(
    { client: api.client, pageSize: 2 },
    { FunctionName: 'f' },
  )) {
    assert.ok((page.Versions?.length ?? 0) <= 2);
    seen.push(...(page.Versions ?? []).map((v) => v.Version ?? ''));
  }
  assert.deepEqual(seen, ['$LATEST', '1', '2', '3', '4']);
  const viaVersion = await api.client.send(
    new GetFunctionCommand({ FunctionName: 'f', Qualifier: '2' }),
  );
  assert.equal(viaVersion.Configuration?.Timeout, 10);
});

test('aliases: Create (201), Get, Update, List with a filter, Delete (204), and their errors', async (t) => {
  const api = await startRegistryApi(t);
  await withFunction(api);
  await api.client.send(new PublishVersionCommand({ FunctionName: 'f' }));
  await api.client.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'f', Timeout: 9 }));
  await api.settle();
  await api.client.send(new PublishVersionCommand({ FunctionName: 'f' }));

  const created = await api.client.send(
    new CreateAliasCommand({
      FunctionName: 'f',
      Name: 'live',
      FunctionVersion: '1',
      RoutingConfig: { AdditionalVersionWeights: { '2': 0.25 } },
    }),
  );
  assert.equal(created.$metadata.httpStatusCode, 201);
  assert.equal(created.AliasArn, `${ARN}:f:live`);
  assert.deepEqual(created.RoutingConfig, { AdditionalVersionWeights: { '2': 0.25 } });
  const got = await api.client.send(new GetAliasCommand({ FunctionName: 'f', Name: 'live' }));
  assert.equal(got.RevisionId, created.RevisionId);
  const viaAlias = await api.client.send(new GetFunctionCommand({ FunctionName: `${ARN}:f:live` }));
  assert.equal(viaAlias.Configuration?.FunctionArn, `${ARN}:f:live`);
  assert.equal(viaAlias.Configuration.Version, '1');

  await assert.rejects(
    api.client.send(
      new UpdateAliasCommand({
        FunctionName: 'f',
        Name: 'live',
        Description: 'x',
        RevisionId: 'stale',
      }),
    ),
    (error: unknown) => {
      assert.ok(error instanceof PreconditionFailedException);
      assert.equal(error.$metadata.httpStatusCode, 412);
      return true;
    },
  );
  const updated = await api.client.send(
    new UpdateAliasCommand({
      FunctionName: 'f',
      Name: 'live',
      FunctionVersion: '2',
      RoutingConfig: { AdditionalVersionWeights: {} },
      RevisionId: created.RevisionId,
    }),
  );
  assert.equal(updated.$metadata.httpStatusCode, 200);
  assert.equal(updated.FunctionVersion, '2');
  assert.equal(updated.RoutingConfig, undefined);

  await api.client.send(
    new CreateAliasCommand({ FunctionName: 'f', Name: 'old', FunctionVersion: '1' }),
  );
  await api.client.send(
    new CreateAliasCommand({ FunctionName: 'f', Name: 'dev', FunctionVersion: '$LATEST' }),
  );
  const names: string[] = [];
  for await (const page of paginateListAliases(
    { client: api.client, pageSize: 1 },
    { FunctionName: 'f' },
  )) {
    names.push(...(page.Aliases ?? []).map((a) => a.Name ?? ''));
  }
  assert.deepEqual(names, ['dev', 'live', 'old']);
  const onOne: string[] = [];
  for await (const page of paginateListAliases(
    { client: api.client },
    { FunctionName: 'f', FunctionVersion: '1' },
  )) {
    onOne.push(...(page.Aliases ?? []).map((a) => a.Name ?? ''));
  }
  assert.deepEqual(onOne, ['old']);

  await assert.rejects(
    api.client.send(new DeleteFunctionCommand({ FunctionName: 'f', Qualifier: '1' })),
    (error: unknown) => {
      assert.ok(error instanceof ResourceConflictException);
      assert.equal(
        error.message,
        'Unable to delete version because the following aliases reference it: [old]',
      );
      return true;
    },
  );
  const deleted = await api.client.send(new DeleteAliasCommand({ FunctionName: 'f', Name: 'old' }));
  assert.equal(deleted.$metadata.httpStatusCode, 204);
  const versionDeleted = await api.client.send(
    new DeleteFunctionCommand({ FunctionName: 'f', Qualifier: '1' }),
  );
  assert.equal(versionDeleted.$metadata.httpStatusCode, 204);
  await assert.rejects(
    api.client.send(new GetAliasCommand({ FunctionName: 'f', Name: 'old' })),
    (error: unknown) => {
      assert.ok(error instanceof ResourceNotFoundException);
      assert.equal(error.message, `Cannot find alias arn: ${ARN}:f:old`);
      return true;
    },
  );
  await assert.rejects(
    api.client.send(
      new CreateAliasCommand({ FunctionName: 'f', Name: '12', FunctionVersion: '2' }),
    ),
    (error: unknown) => {
      assert.ok(error instanceof Error);
      assert.equal(error.name, 'ValidationException');
      assert.match(error.message, /at 'name' failed to satisfy constraint/);
      return true;
    },
  );
});
