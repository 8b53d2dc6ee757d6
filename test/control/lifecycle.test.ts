import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import {
  ARN,
  UUID,
  CTX,
  ENDPOINT,
  HELLO_ZIP,
  ROLE,
  createBody,
  makeZip,
  rejectsWith,
  settle,
  snapshot,
  startRegistry,
} from './helpers.js';

test('CreateFunction answers every default as Lambda does, State Pending', async (t) => {
  const { registry } = await startRegistry(t);
  const created = await registry.createFunction(createBody('orders'));
  const sha = createHash('sha256').update(HELLO_ZIP).digest();
  const { RevisionId, RuntimeVersionConfig, ...rest } = created;
  assert.match(RevisionId ?? '', UUID);
  assert.match(
    RuntimeVersionConfig?.RuntimeVersionArn ?? '',
    /^arn:aws:lambda:us-east-1::runtime:[0-9a-f]{64}$/,
  );
  assert.deepEqual(rest, {
    FunctionName: 'orders',
    FunctionArn: `${ARN}:orders`,
    Runtime: 'nodejs20.x',
    Role: ROLE,
    Handler: 'index.handler',
    CodeSize: HELLO_ZIP.length,
    Description: '',
    Timeout: 3,
    MemorySize: 128,
    LastModified: '2025-05-01T12:34:56.789+0000',
    CodeSha256: sha.toString('base64'),
    Version: '$LATEST',
    TracingConfig: { Mode: 'PassThrough' },
    State: 'Pending',
    StateReason: 'The function is being created.',
    StateReasonCode: 'Creating',
    PackageType: 'Zip',
    Architectures: ['x86_64'],
    EphemeralStorage: { Size: 512 },
    SnapStart: { ApplyOn: 'None', OptimizationStatus: 'Off' },
    LoggingConfig: { LogFormat: 'Text', LogGroup: '/aws/lambda/orders' },
  });
});

test('a new function becomes Active once its package is ready, with a new RevisionId', async (t) => {
  const { registry, clock } = await startRegistry(t);
  const created = await registry.createFunction(createBody('f'));
  const pending = await registry.getFunctionConfiguration('f');
  assert.equal(pending.State, 'Pending');
  // Get* always carries LastUpdateStatus so the update waiters can decide.
  assert.equal(pending.LastUpdateStatus, 'InProgress');
  assert.equal(pending.LastUpdateStatusReasonCode, 'Creating');
  assert.equal((await registry.resolve('f', undefined)).state, 'Pending');

  await settle(clock);
  const active = await registry.getFunction('f');
  assert.equal(active.Configuration.State, 'Active');
  assert.equal(active.Configuration.LastUpdateStatus, 'Successful');
  assert.equal(active.Configuration.StateReason, undefined);
  assert.equal(active.Configuration.StateReasonCode, undefined);
  assert.equal(active.Configuration.LastUpdateStatusReason, undefined);
  assert.notEqual(active.Configuration.RevisionId, created.RevisionId);
  assert.equal((await registry.resolve('f', undefined)).state, 'Active');
});

test('becomes Active on the real clock too, without being asked again', async (t) => {
  const { mkdtemp, rm } = await import('node:fs/promises');
  const { tmpdir } = await import('node:os');
  const { createSystemClock } = await import('../../src/core/clock.js');
  const { openSqliteStore } = await import('../../src/store/index.js');
  const { createControlPlane } = await import('../../src/control/index.js');
  const dataDir = await mkdtemp(join(tmpdir(), 'fogbank-control-'));
  const store = await openSqliteStore(dataDir);
  const registry = await createControlPlane({
    store,
    dataDir,
    ctx: CTX,
    publicEndpoint: ENDPOINT,
    accountConcurrency: 1000,
    clock: createSystemClock(),
  });
  t.after(async () => {
    await registry.stop();
    await store.close();
    await rm(dataDir, { recursive: true, force: true });
  });
  let changes = 0;
  const activated = new Promise<void>((resolve) => {
    registry.onChange(() => {
      changes++;
      if (changes === 2) {
        resolve();
      }
    });
  });
  // The system clock's timers are unref'd (a server keeps the loop alive; a test must).
  const keepAlive = setInterval(() => undefined, 60_000);
  t.after(() => {
    clearInterval(keepAlive);
  });
  await registry.createFunction(createBody('f'));
  assert.equal((await registry.getFunctionConfiguration('f')).State, 'Pending');
  await activated;
  assert.equal((await registry.getFunctionConfiguration('f')).State, 'Active');
});

test('UpdateFunctionConfiguration: partial, InProgress then Successful, Environment replaced', async (t) => {
  const { registry, clock } = await startRegistry(t);
  await registry.createFunction(
    createBody('f', {
      Description: 'first',
      Environment: { Variables: { FIRST: '1', SECOND: '2' } },
    }),
  );
  await settle(clock);
  const before = await registry.getFunctionConfiguration('f');
  await clock.advance(5000);
  const updated = await registry.updateFunctionConfiguration('f', {
    Timeout: 60,
    Environment: { Variables: { THIRD: '3' } },
  });
  assert.equal(updated.State, 'Active');
  assert.equal(updated.LastUpdateStatus, 'InProgress');
  assert.equal(updated.LastUpdateStatusReason, 'The function is being created.');
  assert.equal(updated.LastUpdateStatusReasonCode, 'Creating');
  assert.equal(updated.Timeout, 60);
  assert.equal(updated.Description, 'first');
  assert.equal(updated.MemorySize, 128);
  assert.deepEqual(updated.Environment, { Variables: { THIRD: '3' } });
  assert.equal(updated.LastModified, '2025-05-01T12:35:01.789+0000');
  assert.notEqual(updated.RevisionId, before.RevisionId);

  await settle(clock);
  const done = await registry.getFunctionConfiguration('f');
  assert.equal(done.LastUpdateStatus, 'Successful');
  assert.equal(done.LastUpdateStatusReason, undefined);
  assert.notEqual(done.RevisionId, updated.RevisionId);
  assert.equal(done.LastModified, updated.LastModified);
});

test('a second update while one is InProgress is refused with 409', async (t) => {
  const { registry, clock } = await startRegistry(t);
  await registry.createFunction(createBody('f'));
  await settle(clock);
  await registry.updateFunctionConfiguration('f', { Description: 'x' });
  const expected = {
    code: 'ResourceConflictException',
    status: 409,
    message: `The operation cannot be performed at this time. An update is in progress for resource: ${ARN}:f`,
  };
  await rejectsWith(registry.updateFunctionConfiguration('f', { Description: 'y' }), expected);
  await rejectsWith(
    registry.updateFunctionCode('f', { ZipFile: HELLO_ZIP.toString('base64') }),
    expected,
  );
  await settle(clock);
  assert.equal(
    (await registry.updateFunctionConfiguration('f', { Description: 'y' })).Description,
    'y',
  );
});

test('updates are refused while the function is still Pending', async (t) => {
  const { registry } = await startRegistry(t);
  await registry.createFunction(createBody('f'));
  const expected = {
    code: 'ResourceConflictException',
    status: 409,
    message:
      'The operation cannot be performed at this time. The function is currently in the following state: Pending',
  };
  await rejectsWith(registry.updateFunctionConfiguration('f', { Timeout: 5 }), expected);
  await rejectsWith(
    registry.updateFunctionCode('f', { ZipFile: HELLO_ZIP.toString('base64') }),
    expected,
  );
});

test('a RevisionId that is not the latest fails both updates with 412 and changes nothing', async (t) => {
  const { registry, store, clock } = await startRegistry(t);
  await registry.createFunction(createBody('f'));
  await settle(clock);
  const current = await registry.getFunctionConfiguration('f');
  const before = await snapshot(store);
  const expected = {
    code: 'PreconditionFailedException',
    status: 412,
    message:
      'The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id',
  };
  await rejectsWith(
    registry.updateFunctionConfiguration('f', { Timeout: 9, RevisionId: 'not-it' }),
    expected,
  );
  await rejectsWith(
    registry.updateFunctionCode('f', {
      ZipFile: HELLO_ZIP.toString('base64'),
      RevisionId: 'not-it',
    }),
    expected,
  );
  assert.deepEqual(await snapshot(store), before);
  const ok = await registry.updateFunctionConfiguration('f', {
    Timeout: 9,
    RevisionId: current.RevisionId,
  });
  assert.equal(ok.Timeout, 9);
});

test('UpdateFunctionCode stores the new package; Architectures may change with it', async (t) => {
  const { registry, clock } = await startRegistry(t);
  await registry.createFunction(createBody('f'));
  await settle(clock);
  const zip = makeZip({ 'index.js': 'exports.handler = async () => "v2";' });
  const updated = await registry.updateFunctionCode('f', {
    ZipFile: zip.toString('base64'),
    Architectures: ['arm64'],
  });
  assert.equal(updated.CodeSha256, createHash('sha256').update(zip).digest('base64'));
  assert.equal(updated.CodeSize, zip.length);
  assert.deepEqual(updated.Architectures, ['arm64']);
  assert.equal(updated.LastUpdateStatus, 'InProgress');
  assert.equal(updated.Version, '$LATEST');
  assert.equal(updated.FunctionArn, `${ARN}:f`);
  const resolved = await registry.resolve('f', undefined);
  assert.equal(
    await readFile(join(resolved.codeDir, 'index.js'), 'utf8'),
    'exports.handler = async () => "v2";',
  );
});

test('UpdateFunctionCode with DryRun validates and changes nothing', async (t) => {
  const { registry, store, clock } = await startRegistry(t);
  await registry.createFunction(createBody('f'));
  await settle(clock);
  const before = await snapshot(store);
  const current = await registry.getFunctionConfiguration('f');
  const zip = makeZip({ 'index.js': 'dry' });
  const dry = await registry.updateFunctionCode('f', {
    ZipFile: zip.toString('base64'),
    DryRun: true,
  });
  assert.equal(dry.CodeSha256, createHash('sha256').update(zip).digest('base64'));
  assert.equal(dry.RevisionId, current.RevisionId);
  assert.equal(dry.LastUpdateStatus, 'Successful');
  assert.deepEqual(await snapshot(store), before);
  const hex = createHash('sha256').update(zip).digest('hex');
  assert.equal(await registry.readCodePackage(hex), undefined);
  await rejectsWith(
    registry.updateFunctionCode('f', {
      ZipFile: Buffer.from('junk').toString('base64'),
      DryRun: true,
    }),
    {
      code: 'InvalidParameterValueException',
      status: 400,
      message: /^Could not unzip uploaded file/,
    },
  );
});

test("DeleteFunction removes the function; qualifiers follow Lambda's rules", async (t) => {
  const { registry, store, clock } = await startRegistry(t);
  await registry.createFunction(createBody('f', { Tags: { a: 'b' } }));
  await settle(clock);
  await registry.resolve('f', undefined);
  await rejectsWith(registry.deleteFunction('f', '$LATEST'), {
    code: 'InvalidParameterValueException',
    status: 400,
    message: '$LATEST version cannot be deleted without deleting the function.',
  });
  await rejectsWith(registry.deleteFunction('f:$LATEST'), {
    code: 'InvalidParameterValueException',
    status: 400,
    message: '$LATEST version cannot be deleted without deleting the function.',
  });
  // Deleting a version that does not exist succeeds, as on AWS.
  await registry.deleteFunction('f', '3');
  await registry.deleteFunction(`${ARN}:f`);
  await rejectsWith(registry.getFunction('f'), {
    code: 'ResourceNotFoundException',
    status: 404,
    message: `Function not found: ${ARN}:f`,
  });
  await rejectsWith(registry.resolve('f', undefined), {
    code: 'ResourceNotFoundException',
    status: 404,
    message: `Function not found: ${ARN}:f`,
  });
  await rejectsWith(registry.deleteFunction('f'), {
    code: 'ResourceNotFoundException',
    status: 404,
    message: `Function not found: ${ARN}:f`,
  });
  // A version of a function that does not exist: the unqualified ARN [aws-rec].
  await rejectsWith(registry.deleteFunction('f', '3'), {
    code: 'ResourceNotFoundException',
    status: 404,
    message: `Function not found: ${ARN}:f`,
  });
  assert.deepEqual(await store.getAccountUsage(), { functionCount: 0, totalCodeSize: 0 });
  // The name is free again, without the old tags.
  await registry.createFunction(createBody('f'));
  assert.equal('Tags' in (await registry.getFunction('f')), false);
});

test('a function deleted while Pending stays deleted', async (t) => {
  const { registry, clock } = await startRegistry(t);
  await registry.createFunction(createBody('f'));
  await registry.deleteFunction('f');
  await settle(clock);
  await rejectsWith(registry.getFunction('f'), {
    code: 'ResourceNotFoundException',
    status: 404,
    message: `Function not found: ${ARN}:f`,
  });
});

test('onChange listeners hear of creation, activation, updates and deletion', async (t) => {
  const { registry, clock } = await startRegistry(t);
  const heard: string[] = [];
  registry.onChange((name) => heard.push(name));
  await registry.createFunction(createBody('f'));
  assert.deepEqual(heard, ['f']);
  await settle(clock);
  assert.deepEqual(heard, ['f', 'f']);
  await registry.updateFunctionConfiguration('f', { Timeout: 4 });
  await settle(clock);
  await registry.deleteFunction('f');
  assert.deepEqual(heard, ['f', 'f', 'f', 'f', 'f']);
});

test('a restart finishes transitions the previous run left pending', async (t) => {
  const { registry, restart } = await startRegistry(t);
  await registry.createFunction(createBody('f'));
  await registry.stop();
  const second = await restart();
  const config = await second.getFunctionConfiguration('f');
  assert.equal(config.State, 'Active');
  assert.equal(config.LastUpdateStatus, 'Successful');
});

test('Environment variables are stored sealed and come back in the clear', async (t) => {
  const { registry, clock, dataDir, restart } = await startRegistry(t);
  const variables = { API_TOKEN: 'tok-8c1d5e-secret' };
  await registry.createFunction(createBody('f', { Environment: { Variables: variables } }));
  await settle(clock);
  await registry.publishVersion('f', {});
  const db = new Database(join(dataDir, 'fogbank.db'), { readonly: true });
  t.after(() => db.close());
  const stored = db.prepare<[], { config: string }>('SELECT config FROM function_versions').all();
  assert.equal(stored.length, 2);
  for (const row of stored) {
    assert.equal(row.config.includes('tok-8c1d5e-secret'), false);
    assert.equal(row.config.includes('API_TOKEN'), false);
  }
  const again = await restart();
  for (const qualifier of ['$LATEST', '1']) {
    const config = await again.getFunctionConfiguration('f', qualifier);
    assert.deepEqual(config.Environment, { Variables: variables });
  }
});
