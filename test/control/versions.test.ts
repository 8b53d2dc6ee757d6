import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  ARN,
  HELLO_ZIP,
  createBody,
  makeZip,
  rejectsWith,
  settle,
  snapshot,
  startRegistry,
} from './helpers.js';

const PRECONDITION =
  'The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id';

test('PublishVersion snapshots $LATEST as version 1, Active, under a qualified ARN', async (t) => {
  const { registry, clock } = await startRegistry(t);
  await registry.createFunction(createBody('f', { Environment: { Variables: { AB: '1' } } }));
  await settle(clock);
  const latest = await registry.getFunctionConfiguration('f');
  const v1 = await registry.publishVersion('f', { Description: 'first' });
  assert.equal(v1.Version, '1');
  assert.equal(v1.FunctionArn, `${ARN}:f:1`);
  assert.equal(v1.State, 'Active');
  assert.equal(v1.LastUpdateStatus, 'Successful');
  assert.equal(v1.Description, 'first');
  assert.equal(v1.CodeSha256, latest.CodeSha256);
  assert.deepEqual(v1.Environment, { Variables: { AB: '1' } });
  assert.notEqual(v1.RevisionId, latest.RevisionId);
  assert.equal(typeof v1.RuntimeVersionConfig?.RuntimeVersionArn, 'string');
  // Publishing gives $LATEST a new RevisionId, and leaves its description alone [aws-rec].
  const after = await registry.getFunctionConfiguration('f');
  assert.notEqual(after.RevisionId, latest.RevisionId);
  assert.equal(after.Description, '');
  assert.deepEqual(await registry.getFunctionConfiguration('f', '1'), v1);
  assert.deepEqual((await registry.getFunction(`f:1`)).Configuration, v1);
});

test('PublishVersion answers the existing version while $LATEST has not changed', async (t) => {
  const { registry, clock } = await startRegistry(t);
  await registry.createFunction(createBody('f'));
  await settle(clock);
  const v1 = await registry.publishVersion('f', {});
  assert.deepEqual(await registry.publishVersion('f', { Description: 'ignored' }), v1);
  await registry.updateFunctionConfiguration('f', { Timeout: 9 });
  await settle(clock);
  const v2 = await registry.publishVersion('f', {});
  assert.equal(v2.Version, '2');
  assert.equal(v2.Timeout, 9);
  // Published versions never change: version 1 keeps its configuration.
  assert.equal((await registry.getFunctionConfiguration('f', '1')).Timeout, 3);
  // A deleted latest version is not "the same": publishing makes 3, never reusing 2.
  await registry.deleteFunction('f', '2');
  assert.equal((await registry.publishVersion('f', {})).Version, '3');
});

test("PublishVersion's preconditions and state rules, with AWS's texts", async (t) => {
  const { registry, store, clock } = await startRegistry(t);
  await registry.createFunction(createBody('f'));
  await rejectsWith(registry.publishVersion('f', {}), {
    code: 'ResourceConflictException',
    status: 409,
    message:
      'The operation cannot be performed at this time. The function is currently in the following state: Pending',
  });
  await settle(clock);
  const sha = createHash('sha256').update(HELLO_ZIP).digest('base64');
  const before = await snapshot(store);
  await rejectsWith(registry.publishVersion('f', { CodeSha256: 'nope' }), {
    code: 'InvalidParameterValueException',
    status: 400,
    message: `CodeSHA256 (nope) is different from current CodeSHA256 in $LATEST (${sha}). Please try again with the CodeSHA256 in $LATEST.`,
  });
  await rejectsWith(registry.publishVersion('f', { RevisionId: 'stale' }), {
    code: 'PreconditionFailedException',
    status: 412,
    message: PRECONDITION,
  });
  assert.deepEqual(await snapshot(store), before);
  const { RevisionId } = await registry.getFunctionConfiguration('f');
  assert.equal((await registry.publishVersion('f', { CodeSha256: sha, RevisionId })).Version, '1');
  await registry.updateFunctionConfiguration('f', { Timeout: 5 });
  await rejectsWith(registry.publishVersion('f', {}), {
    code: 'ResourceConflictException',
    status: 409,
    message: `The operation cannot be performed at this time. An update is in progress for resource: ${ARN}:f`,
  });
  await rejectsWith(registry.publishVersion('ghost', {}), {
    code: 'ResourceNotFoundException',
    status: 404,
    message: `Function not found: ${ARN}:ghost`,
  });
  await rejectsWith(registry.publishVersion('f', { Description: 'x'.repeat(257) }), {
    code: 'ValidationException',
    status: 400,
    message:
      /at 'description' failed to satisfy constraint: Member must have length less than or equal to 256$/,
  });
});

test('UpdateFunctionCode with Publish answers the new version, Pending until it settles', async (t) => {
  const { registry, clock } = await startRegistry(t);
  await registry.createFunction(createBody('f'));
  await settle(clock);
  const zip = makeZip({ 'index.js': 'exports.handler = async () => "v2";' });
  const answer = await registry.updateFunctionCode('f', {
    ZipFile: zip.toString('base64'),
    Publish: true,
  });
  assert.equal(answer.Version, '1');
  assert.equal(answer.FunctionArn, `${ARN}:f:1`);
  assert.equal(answer.State, 'Pending');
  assert.equal(answer.StateReasonCode, 'Creating');
  assert.equal(answer.LastUpdateStatus, undefined);
  assert.equal(answer.CodeSha256, createHash('sha256').update(zip).digest('base64'));
  // While Pending a published version reports no update [aws-rec].
  const pending = await registry.getFunctionConfiguration('f', '1');
  assert.equal(pending.State, 'Pending');
  assert.equal(pending.LastUpdateStatus, undefined);
  await settle(clock);
  const settled = await registry.getFunctionConfiguration('f', '1');
  assert.equal(settled.State, 'Active');
  assert.equal(settled.LastUpdateStatus, 'Successful');
  const resolved = await registry.resolve('f', '1');
  assert.equal(resolved.version, '1');
  assert.equal(
    await readFile(join(resolved.codeDir, 'index.js'), 'utf8'),
    'exports.handler = async () => "v2";',
  );
});

test('CreateFunction with Publish answers version 1 under the unqualified ARN', async (t) => {
  const { registry, clock } = await startRegistry(t);
  const created = await registry.createFunction(createBody('f', { Publish: true }));
  assert.equal(created.Version, '1');
  assert.equal(created.FunctionArn, `${ARN}:f`);
  assert.equal(created.State, 'Pending');
  await settle(clock);
  assert.equal((await registry.getFunctionConfiguration('f', '1')).State, 'Active');
  assert.equal((await registry.getFunctionConfiguration('f')).State, 'Active');
  // Nothing changed since: publishing again answers version 1.
  assert.equal((await registry.publishVersion('f', {})).Version, '1');
});

test('ListVersionsByFunction: $LATEST first, then by number, paged, qualified ARNs', async (t) => {
  const { registry, clock } = await startRegistry(t);
  await registry.createFunction(createBody('f'));
  await settle(clock);
  for (let i = 1; i <= 4; i++) {
    await registry.updateFunctionConfiguration('f', { Timeout: i + 10 });
    await settle(clock);
    await registry.publishVersion('f', {});
  }
  await registry.createFunction(createBody('g'));
  const all = await registry.listVersionsByFunction('f', {});
  assert.deepEqual(
    all.Versions?.map((v) => [v.Version, v.FunctionArn]),
    [
      ['$LATEST', `${ARN}:f:$LATEST`],
      ['1', `${ARN}:f:1`],
      ['2', `${ARN}:f:2`],
      ['3', `${ARN}:f:3`],
      ['4', `${ARN}:f:4`],
    ],
  );
  assert.equal(all.NextMarker, undefined);
  assert.equal('State' in (all.Versions[1] ?? {}), false);
  const first = await registry.listVersionsByFunction('f', { maxItems: 2 });
  assert.deepEqual(
    first.Versions?.map((v) => v.Version),
    ['$LATEST', '1'],
  );
  const second = await registry.listVersionsByFunction('f', {
    maxItems: 2,
    marker: first.NextMarker ?? '',
  });
  assert.deepEqual(
    second.Versions?.map((v) => v.Version),
    ['2', '3'],
  );
  await rejectsWith(registry.listVersionsByFunction('g', { marker: first.NextMarker ?? '' }), {
    code: 'InvalidParameterValueException',
    status: 400,
    message: /^Invalid Marker/,
  });
  await rejectsWith(registry.listVersionsByFunction('ghost', {}), {
    code: 'ResourceNotFoundException',
    status: 404,
    message: `Function not found: ${ARN}:ghost`,
  });
  const listed = await registry.listFunctions({ functionVersion: 'ALL' });
  assert.deepEqual(
    listed.Functions.map((v) => v.FunctionArn),
    [...(all.Versions ?? []).map((v) => v.FunctionArn), `${ARN}:g:$LATEST`],
  );
  assert.deepEqual(
    (await registry.listFunctions({})).Functions.map((v) => v.FunctionArn),
    [`${ARN}:f`, `${ARN}:g`],
  );
});

test('DeleteFunction with a Qualifier deletes one version, unless an alias routes to it', async (t) => {
  const { registry, clock } = await startRegistry(t);
  await registry.createFunction(createBody('f'));
  await settle(clock);
  await registry.publishVersion('f', {});
  await registry.updateFunctionConfiguration('f', { Timeout: 8 });
  await settle(clock);
  await registry.publishVersion('f', {});
  await registry.createAlias('f', { Name: 'live', FunctionVersion: '1' });
  await registry.createAlias('f', {
    Name: 'canary',
    FunctionVersion: '1',
    RoutingConfig: { AdditionalVersionWeights: { '2': 0.1 } },
  });
  await rejectsWith(registry.deleteFunction('f', '1'), {
    code: 'ResourceConflictException',
    status: 409,
    message: 'Unable to delete version because the following aliases reference it: [canary, live]',
  });
  await rejectsWith(registry.deleteFunction('f:2'), {
    code: 'ResourceConflictException',
    status: 409,
    message: 'Unable to delete version because the following aliases reference it: [canary]',
  });
  await registry.deleteAlias('f', 'canary');
  const changes: string[] = [];
  registry.onChange((name) => changes.push(name));
  await registry.deleteFunction('f', '2');
  assert.deepEqual(changes, ['f']);
  await rejectsWith(registry.getFunction('f', '2'), {
    code: 'ResourceNotFoundException',
    status: 404,
    message: `Function not found: ${ARN}:f:2`,
  });
  await rejectsWith(registry.resolve('f', '2'), {
    code: 'ResourceNotFoundException',
    status: 404,
    message: `Function not found: ${ARN}:f:2`,
  });
  // Absent versions and alias names delete nothing and succeed.
  await registry.deleteFunction('f', '2');
  await registry.deleteFunction('f', 'live');
  assert.equal((await registry.getFunctionConfiguration('f', 'live')).Version, '1');
});

test('GetFunction through an alias: the alias ARN, the resolved version and its RevisionId', async (t) => {
  const { registry, clock } = await startRegistry(t);
  await registry.createFunction(createBody('f'));
  await settle(clock);
  const v1 = await registry.publishVersion('f', {});
  await registry.createAlias('f', { Name: 'live', FunctionVersion: '1' });
  const viaAlias = await registry.getFunction('f', 'live');
  assert.equal(viaAlias.Configuration.FunctionArn, `${ARN}:f:live`);
  assert.equal(viaAlias.Configuration.Version, '1');
  assert.equal(viaAlias.Configuration.RevisionId, v1.RevisionId);
  assert.equal(
    (await registry.getFunctionConfiguration(`${ARN}:f:live`)).FunctionArn,
    `${ARN}:f:live`,
  );
  await rejectsWith(registry.getFunction('f', 'nope'), {
    code: 'ResourceNotFoundException',
    status: 404,
    message: `Function not found: ${ARN}:f:nope`,
  });
  await rejectsWith(registry.getFunctionConfiguration('ghost', '1'), {
    code: 'ResourceNotFoundException',
    status: 404,
    message: `Function not found: ${ARN}:ghost:1`,
  });
});

test('published versions are read-only: updates name $LATEST only', async (t) => {
  const { registry, clock } = await startRegistry(t);
  await registry.createFunction(createBody('f'));
  await settle(clock);
  await registry.publishVersion('f', {});
  const functionOnly =
    'This operation is permitted on Lambda functions only. Aliases and versions do not support this operation. Please specify either a function name or an unqualified function ARN.';
  for (const name of ['f:1', `${ARN}:f:1`, 'f:$LATEST']) {
    await rejectsWith(registry.updateFunctionConfiguration(name, { Timeout: 4 }), {
      code: 'InvalidParameterValueException',
      status: 400,
      message: functionOnly,
    });
    await rejectsWith(
      registry.updateFunctionCode(name, { ZipFile: HELLO_ZIP.toString('base64') }),
      {
        code: 'InvalidParameterValueException',
        status: 400,
        message: functionOnly,
      },
    );
  }
  await rejectsWith(registry.publishVersion('f:1', {}), {
    code: 'InvalidParameterValueException',
    status: 400,
    message: functionOnly,
  });
});

test('versions, their numbering and aliases survive a restart', async (t) => {
  const { registry, clock, restart } = await startRegistry(t);
  await registry.createFunction(createBody('f'));
  await settle(clock);
  await registry.publishVersion('f', {});
  await registry.createAlias('f', { Name: 'live', FunctionVersion: '1' });
  await registry.deleteFunction('f', '1').catch(() => undefined);
  await registry.stop();
  const second = await restart();
  assert.equal((await second.getAlias('f', 'live')).FunctionVersion, '1');
  assert.equal((await second.resolve('f', 'live')).version, '1');
  await second.updateFunctionConfiguration('f', { Timeout: 7 });
  await settle(clock);
  assert.equal((await second.publishVersion('f', {})).Version, '2');
});
