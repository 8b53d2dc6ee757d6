import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HELLO_ZIP, createBody, makeZip, settle, startRegistry } from './helpers.js';

test('GetAccountSettings reports the limits and the real usage', async (t) => {
  const { registry, clock } = await startRegistry(t, { accountConcurrency: 500 });
  assert.deepEqual(await registry.getAccountSettings(), {
    AccountLimit: {
      TotalCodeSize: 80_530_636_800,
      CodeSizeUnzipped: 262_144_000,
      CodeSizeZipped: 52_428_800,
      ConcurrentExecutions: 500,
      UnreservedConcurrentExecutions: 500,
    },
    AccountUsage: { TotalCodeSize: 0, FunctionCount: 0 },
  });
  const other = makeZip({ 'other.js': 'module.exports = 2;' });
  await registry.createFunction(createBody('a'));
  await registry.createFunction(createBody('b'));
  await registry.createFunction(createBody('c', { Code: { ZipFile: other.toString('base64') } }));
  await settle(clock);
  // Lambda counts each function's package, even when two share the same bytes.
  assert.deepEqual((await registry.getAccountSettings()).AccountUsage, {
    TotalCodeSize: 2 * HELLO_ZIP.length + other.length,
    FunctionCount: 3,
  });
  await registry.updateFunctionCode('a', { ZipFile: other.toString('base64') });
  await registry.deleteFunction('b');
  assert.deepEqual((await registry.getAccountSettings()).AccountUsage, {
    TotalCodeSize: 2 * other.length,
    FunctionCount: 2,
  });
});
