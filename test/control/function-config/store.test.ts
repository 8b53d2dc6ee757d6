import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import {
  FUNCTION_CONFIG_MIGRATION,
  SqliteFunctionConfigStore,
} from '../../../src/store/sqlite/function-config-tables.js';
import { MIGRATIONS } from '../../../src/store/sqlite/migrations.js';
import { setup } from './helpers.js';

test('the migration is numbered in the 20s and part of MIGRATIONS, in order', () => {
  assert.ok(FUNCTION_CONFIG_MIGRATION.version >= 20 && FUNCTION_CONFIG_MIGRATION.version <= 29);
  assert.ok(MIGRATIONS.includes(FUNCTION_CONFIG_MIGRATION));
  const versions = MIGRATIONS.map((m) => m.version);
  assert.deepEqual(
    versions,
    [...versions].sort((a, b) => a - b),
  );
});

test('policies are written with compare-and-set on their RevisionId', async (t) => {
  const { store } = await setup(t);
  const policy = (revisionId: string) => ({
    functionName: 'orders',
    qualifier: '',
    revisionId,
    statements: [{ Sid: revisionId }],
  });
  assert.equal(await store.putPolicy(policy('r1'), undefined), true);
  assert.equal(await store.putPolicy(policy('r1b'), undefined), false);
  assert.equal(await store.putPolicy(policy('r2'), 'stale'), false);
  assert.equal(await store.putPolicy(policy('r2'), 'r1'), true);
  assert.deepEqual(await store.getPolicy('orders', ''), policy('r2'));
  assert.equal(await store.deletePolicy('orders', '', 'r1'), false);
  assert.equal(await store.deletePolicy('orders', '', 'r2'), true);
  assert.equal(await store.getPolicy('orders', ''), undefined);
});

test('settings survive a reopen of the database', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'fogbank-fnconfig-store-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const path = join(dir, 'fogbank.db');
  const first = new Database(path);
  first.exec(FUNCTION_CONFIG_MIGRATION.sql);
  const writer = new SqliteFunctionConfigStore(first);
  await writer.putEventInvokeConfig({
    functionName: 'orders',
    qualifier: 'live',
    maximumEventAgeInSeconds: 120,
    onFailure: 'arn:aws:sqs:us-east-1:123456789012:failed',
    lastModified: 1_000,
  });
  assert.equal(
    await writer.createFunctionUrl({
      functionName: 'orders',
      qualifier: '',
      urlId: 'a'.repeat(32),
      authType: 'AWS_IAM',
      invokeMode: 'RESPONSE_STREAM',
      cors: { AllowOrigins: ['*'] },
      createdAt: 1,
      lastModified: 2,
    }),
    true,
  );
  first.close();
  const second = new Database(path);
  const reader = new SqliteFunctionConfigStore(second);
  assert.deepEqual(await reader.getEventInvokeConfig('orders', 'live'), {
    seq: 1,
    functionName: 'orders',
    qualifier: 'live',
    lastModified: 1_000,
    maximumEventAgeInSeconds: 120,
    onFailure: 'arn:aws:sqs:us-east-1:123456789012:failed',
  });
  assert.deepEqual(await reader.getFunctionUrlById('a'.repeat(32)), {
    seq: 1,
    functionName: 'orders',
    qualifier: '',
    urlId: 'a'.repeat(32),
    createdAt: 1,
    lastModified: 2,
    authType: 'AWS_IAM',
    invokeMode: 'RESPONSE_STREAM',
    cors: { AllowOrigins: ['*'] },
  });
  assert.deepEqual(await reader.listQualifiers('orders'), ['', 'live']);
  await reader.deleteFunction('orders');
  assert.deepEqual(await reader.listQualifiers('orders'), []);
  second.close();
});
