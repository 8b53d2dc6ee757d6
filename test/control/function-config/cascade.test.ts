import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { createFunctionConfigServices } from '../../../src/control/function-config/index.js';
import { functionArn } from '../../../src/core/arn.js';
import { SqliteFunctionConfigStore } from '../../../src/store/sqlite/function-config-tables.js';
import { CTX as REGISTRY_CTX, createBody, settle, startRegistry } from '../helpers.js';
import { ARN, rejectsWith, setup } from './helpers.js';

const PERMISSION = { Action: 'lambda:InvokeFunction', Principal: 's3.amazonaws.com' };

test('deleting an alias, a version, then the function removes exactly their settings', async (t) => {
  const { services, registry, store } = await setup(t);
  registry.add('orders', '1', 'live');
  registry.add('other');
  const { eventInvokeConfigs, functionUrls, policies } = services;
  for (const qualifier of [undefined, '1', 'live']) {
    await eventInvokeConfigs.put('orders', qualifier, { MaximumRetryAttempts: 1 });
    await policies.add('orders', qualifier, { ...PERMISSION, StatementId: 's3' });
  }
  await functionUrls.create('orders', undefined, { AuthType: 'NONE' });
  const alias = await functionUrls.create('orders', 'live', { AuthType: 'NONE' });
  await eventInvokeConfigs.put('other', undefined, { MaximumRetryAttempts: 0 });
  const aliasUrlId = new URL(alias.FunctionUrl).hostname.split('.')[0] ?? '';
  assert.ok((await functionUrls.lookupUrl(aliasUrlId)) !== undefined);
  assert.equal(
    (await eventInvokeConfigs.eventInvokeConfig('orders', 'live')).maximumRetryAttempts,
    1,
  );

  registry.removeQualifier('orders', 'live');
  await services.settled();
  assert.deepEqual((await store.listQualifiers('orders')).sort(), ['', '$LATEST', '1']);
  assert.equal(await functionUrls.lookupUrl(aliasUrlId), undefined);
  assert.equal(
    (await eventInvokeConfigs.eventInvokeConfig('orders', 'live')).maximumRetryAttempts,
    2,
  );
  await rejectsWith(policies.get('orders', 'live'), {
    code: 'ResourceNotFoundException',
    status: 404,
    message: 'The resource you requested does not exist.',
  });

  registry.removeQualifier('orders', '1');
  await services.settled();
  assert.deepEqual((await store.listQualifiers('orders')).sort(), ['', '$LATEST']);

  registry.remove('orders');
  await services.settled();
  assert.deepEqual(await store.listQualifiers('orders'), []);
  assert.deepEqual(await eventInvokeConfigs.eventInvokeConfig('orders', undefined), {
    maximumRetryAttempts: 2,
    maximumEventAgeInSeconds: 21_600,
  });
  // Another function keeps its settings.
  assert.equal((await eventInvokeConfigs.get('other', undefined)).MaximumRetryAttempts, 0);

  // A function created again under the same name starts with nothing.
  registry.add('orders');
  await services.settled();
  await rejectsWith(eventInvokeConfigs.get('orders', undefined), {
    code: 'ResourceNotFoundException',
    status: 404,
    message: `The function ${ARN('orders', '$LATEST')} doesn't have an EventInvokeConfig`,
  });
  assert.deepEqual(await functionUrls.list('orders', {}), { FunctionUrlConfigs: [] });
});

test('with the real registry: DeleteFunction takes the configs, URLs and policies with it', async (t) => {
  const harness = await startRegistry(t);
  const { registry, clock, dataDir } = harness;
  // A second connection to the registry's database: the function-config tables come with MIGRATIONS.
  const db = new Database(join(dataDir, 'fogbank.db'));
  db.pragma('busy_timeout = 5000');
  const store = new SqliteFunctionConfigStore(db);
  const services = createFunctionConfigServices({
    store,
    resolver: registry,
    ctx: REGISTRY_CTX,
    clock,
    publicEndpoint: 'http://127.0.0.1:4566',
    destinations: { exists: () => Promise.resolve(false) },
  });
  t.after(async () => {
    await services.settled();
    db.close();
  });
  await registry.createFunction(createBody('orders'));
  await registry.createFunction(createBody('audit'));
  await settle(clock);
  await services.eventInvokeConfigs.put('orders', undefined, {
    MaximumRetryAttempts: 0,
    DestinationConfig: { OnSuccess: { Destination: functionArn(REGISTRY_CTX, 'audit') } },
  });
  await services.functionUrls.create('orders', undefined, { AuthType: 'NONE' });
  await services.policies.add('orders', undefined, { ...PERMISSION, StatementId: 's3' });

  // A change that is not a deletion keeps everything.
  await registry.updateFunctionConfiguration('orders', { Description: 'changed' });
  await settle(clock);
  await services.settled();
  assert.deepEqual((await store.listQualifiers('orders')).sort(), ['', '$LATEST']);

  await registry.deleteFunction('orders');
  await services.settled();
  assert.deepEqual(await store.listQualifiers('orders'), []);
  await rejectsWith(services.policies.get('orders', undefined), {
    code: 'ResourceNotFoundException',
    status: 404,
    message: `Function not found: ${functionArn(REGISTRY_CTX, 'orders')}`,
  });
  await rejectsWith(
    services.eventInvokeConfigs.put('orders', undefined, { MaximumRetryAttempts: 0 }),
    { code: 'ResourceNotFoundException', status: 404, message: "The function doesn't exist." },
  );
});
