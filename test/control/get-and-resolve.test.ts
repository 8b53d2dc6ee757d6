import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
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
  startRegistry,
} from './helpers.js';

test('GetFunction points Code.Location at the stored package, and it reads back byte for byte', async (t) => {
  const { registry, clock } = await startRegistry(t);
  await registry.createFunction(createBody('f', { Tags: { team: 'payments' } }));
  await settle(clock);
  const result = await registry.getFunction('f');
  const hex = createHash('sha256').update(HELLO_ZIP).digest('hex');
  assert.deepEqual(result.Code, {
    RepositoryType: 'S3',
    Location: `${ENDPOINT}/_fogbank/code/${hex}.zip`,
  });
  assert.deepEqual(result.Tags, { team: 'payments' });
  assert.equal(result.Concurrency, undefined);
  assert.deepEqual(await registry.readCodePackage(hex), HELLO_ZIP);
  assert.equal(await registry.readCodePackage('0'.repeat(64)), undefined);
  assert.equal(await registry.readCodePackage('../../etc/passwd'), undefined);
});

test('GetFunction leaves Tags out when there are none', async (t) => {
  const { registry } = await startRegistry(t);
  await registry.createFunction(createBody('f'));
  assert.equal('Tags' in (await registry.getFunction('f')), false);
});

test('resolve() gives the invoke layer the unpacked code and the configuration', async (t) => {
  const { registry, clock } = await startRegistry(t);
  const zip = makeZip({
    'index.js': 'exports.handler = async () => 1;',
    bootstrap: { data: '#!/bin/sh\necho hi\n', mode: 0o100755 },
  });
  await registry.createFunction(
    createBody('f', {
      Code: { ZipFile: zip.toString('base64') },
      MemorySize: 256,
      Timeout: 30,
      EphemeralStorage: { Size: 1024 },
      Environment: { Variables: { STAGE: 'dev' } },
      LoggingConfig: { LogFormat: 'JSON', ApplicationLogLevel: 'DEBUG' },
    }),
  );
  await settle(clock);
  const resolved = await registry.resolve('f', undefined);
  const { codeDir, revisionId, ...rest } = resolved;
  assert.deepEqual(rest, {
    functionName: 'f',
    functionArn: `${ARN}:f`,
    version: '$LATEST',
    state: 'Active',
    runtime: 'nodejs20.x',
    handler: 'index.handler',
    role: ROLE,
    memorySizeMb: 256,
    timeoutSeconds: 30,
    ephemeralStorageMb: 1024,
    hotReload: false,
    layerDirs: [],
    variables: { STAGE: 'dev' },
    logGroupName: '/aws/lambda/f',
    logFormat: 'JSON',
    applicationLogLevel: 'DEBUG',
  });
  assert.match(revisionId, UUID);
  assert.equal(
    await readFile(join(codeDir, 'index.js'), 'utf8'),
    'exports.handler = async () => 1;',
  );
  assert.equal((await stat(join(codeDir, 'bootstrap'))).mode & 0o777, 0o555);
  assert.equal((await stat(join(codeDir, 'index.js'))).mode & 0o777, 0o444);
  assert.equal((await stat(codeDir)).mode & 0o777, 0o555);
  assert.equal((await registry.resolve('f', '$LATEST')).codeDir, codeDir);
});

test('resolve() keeps the environment revision across the Pending → Active transition', async (t) => {
  const { registry, clock } = await startRegistry(t);
  await registry.createFunction(createBody('f'));
  const before = await registry.resolve('f', undefined);
  await settle(clock);
  const after = await registry.resolve('f', undefined);
  assert.equal(after.state, 'Active');
  assert.equal(after.revisionId, before.revisionId);
  await registry.updateFunctionConfiguration('f', { Timeout: 10 });
  const updated = await registry.resolve('f', undefined);
  assert.notEqual(updated.revisionId, before.revisionId);
  assert.equal(updated.timeoutSeconds, 10);
});

test("resolve() answers unknown functions, versions and aliases with Lambda's 404", async (t) => {
  const { registry } = await startRegistry(t);
  await registry.createFunction(createBody('f'));
  await rejectsWith(registry.resolve('nope', undefined), {
    code: 'ResourceNotFoundException',
    status: 404,
    message: `Function not found: ${ARN}:nope`,
  });
  await rejectsWith(registry.resolve('f', '7'), {
    code: 'ResourceNotFoundException',
    status: 404,
    message: `Function not found: ${ARN}:f:7`,
  });
  await rejectsWith(registry.resolve('f', 'live'), {
    code: 'ResourceNotFoundException',
    status: 404,
    message: `Function not found: ${ARN}:f:live`,
  });
});

test('resolve() serves repeated calls from memory and reloads after a change', async (t) => {
  const { mkdtemp, rm } = await import('node:fs/promises');
  const { tmpdir } = await import('node:os');
  const { ManualClock } = await import('../../src/core/clock.js');
  const { openSqliteStore } = await import('../../src/store/index.js');
  const { createControlPlane } = await import('../../src/control/index.js');
  const dataDir = await mkdtemp(join(tmpdir(), 'fogbank-control-'));
  const clock = new ManualClock();
  const real = await openSqliteStore(dataDir, { clock });
  let reads = 0;
  const store = new Proxy(real, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver) as unknown;
      if (property === 'getFunctionVersion' && typeof value === 'function') {
        return (...args: unknown[]) => {
          reads++;
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      }
      return typeof value === 'function' ? (value as () => unknown).bind(target) : value;
    },
  });
  const registry = await createControlPlane({
    store,
    dataDir,
    ctx: CTX,
    publicEndpoint: ENDPOINT,
    accountConcurrency: 1000,
    clock,
  });
  t.after(async () => {
    await registry.stop();
    await real.close();
    await rm(dataDir, { recursive: true, force: true });
  });
  await registry.createFunction(createBody('f'));
  await settle(clock);
  await registry.resolve('f', undefined);
  const afterFirst = reads;
  for (let i = 0; i < 100; i++) {
    await registry.resolve('f', undefined);
  }
  assert.equal(reads, afterFirst, 'no store read per resolve while nothing changed');
  await registry.updateFunctionConfiguration('f', { MemorySize: 512 });
  assert.equal((await registry.resolve('f', undefined)).memorySizeMb, 512);
});

test('Get* accept names, partial ARNs, ARNs and qualifiers as Lambda does', async (t) => {
  const { registry, clock } = await startRegistry(t);
  await registry.createFunction(createBody('f'));
  await settle(clock);
  for (const name of ['f', `123456789012:function:f`, `${ARN}:f`]) {
    assert.equal((await registry.getFunctionConfiguration(name)).FunctionArn, `${ARN}:f`);
  }
  const qualified = await registry.getFunctionConfiguration('f', '$LATEST');
  assert.equal(qualified.FunctionArn, `${ARN}:f:$LATEST`);
  assert.equal((await registry.getFunction(`${ARN}:f:$LATEST`)).Configuration.Version, '$LATEST');
  await rejectsWith(registry.getFunction('f:$LATEST', '1'), {
    code: 'InvalidParameterValueException',
    status: 400,
    message: 'The derived qualifier from the function name does not match the specified qualifier.',
  });
  await rejectsWith(registry.getFunction('f', 'live'), {
    code: 'ResourceNotFoundException',
    status: 404,
    message: `Function not found: ${ARN}:f:live`,
  });
  await rejectsWith(registry.getFunction('f', 'a b'), {
    code: 'ValidationException',
    status: 400,
    message:
      "1 validation error detected: Value 'a b' at 'qualifier' failed to satisfy constraint: Member must satisfy regular expression pattern: (|[a-zA-Z0-9$_-]+)",
  });
  await rejectsWith(registry.getFunction('arn:aws:lambda:eu-west-1:123456789012:function:f'), {
    code: 'ResourceNotFoundException',
    status: 404,
    message: "Functions from 'eu-west-1' are not reachable in this region ('us-east-1')",
  });
});
