import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { createBody, rejectsWith, settle, snapshot, startRegistry } from './helpers.js';

test('S3Bucket "hot-reload" runs a directory in place: nothing copied, no size', async (t) => {
  const { registry, clock, dataDir } = await startRegistry(t);
  const dir = await mkdtemp(join(tmpdir(), 'fogbank-hot-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await writeFile(join(dir, 'index.js'), 'exports.handler = async () => "live";');
  const created = await registry.createFunction(
    createBody('hot', { Code: { S3Bucket: 'hot-reload', S3Key: dir } }),
  );
  assert.equal(created.CodeSize, 0);
  assert.equal(created.CodeSha256, createHash('sha256').update(dir).digest('base64'));
  await settle(clock);
  const resolved = await registry.resolve('hot', undefined);
  assert.equal(resolved.codeDir, dir);
  assert.equal(resolved.hotReload, true);
  assert.equal(resolved.state, 'Active');
  assert.deepEqual((await registry.getFunction('hot')).Code, { RepositoryType: 'S3' });
  const { readdir } = await import('node:fs/promises');
  assert.deepEqual(await readdir(join(dataDir, 'code')), []);
  assert.equal((await registry.getAccountSettings()).AccountUsage.TotalCodeSize, 0);
});

test('UpdateFunctionCode switches between a package and a hot-reload directory', async (t) => {
  const { registry, clock } = await startRegistry(t);
  const dir = await mkdtemp(join(tmpdir(), 'fogbank-hot-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await registry.createFunction(createBody('f'));
  await settle(clock);
  await registry.updateFunctionCode('f', { S3Bucket: 'hot-reload', S3Key: `${dir}/` });
  const resolved = await registry.resolve('f', undefined);
  assert.equal(resolved.codeDir, dir);
  assert.equal(resolved.hotReload, true);
});

test('a hot-reload key must be an existing absolute directory', async (t) => {
  const { registry, store } = await startRegistry(t);
  const before = await snapshot(store);
  await rejectsWith(
    registry.createFunction(
      createBody('f', { Code: { S3Bucket: 'hot-reload', S3Key: 'relative/dir' } }),
    ),
    {
      code: 'InvalidParameterValueException',
      status: 400,
      message: /S3Key must be the absolute path of a directory/,
    },
  );
  await rejectsWith(
    registry.createFunction(createBody('f', { Code: { S3Bucket: 'hot-reload' } })),
    {
      code: 'InvalidParameterValueException',
      status: 400,
      message: /S3Key must be the absolute path of a directory/,
    },
  );
  await rejectsWith(
    registry.createFunction(
      createBody('f', { Code: { S3Bucket: 'hot-reload', S3Key: '/nonexistent/fogbank/dir' } }),
    ),
    {
      code: 'InvalidParameterValueException',
      status: 400,
      message: /does not exist on the Fogbank server/,
    },
  );
  assert.deepEqual(await snapshot(store), before);
});
