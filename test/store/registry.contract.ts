/**
 * The RegistryStore half of the Store contract (aliases, concurrency, layers): every
 * implementation runs it beside store.contract.ts.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ManualClock } from '../../src/core/clock.js';
import {
  LATEST,
  type AliasRecord,
  type NewLayerVersion,
  type ProvisionedConcurrencyRecord,
  type Store,
} from '../../src/store/index.js';
import type { StoreContractOptions } from './store.contract.js';

async function withFunction(store: Store, name: string): Promise<void> {
  await store.createFunction({
    latest: {
      functionName: name,
      version: LATEST,
      revisionId: `rev-${name}`,
      codeSha256: 'a'.repeat(64),
      codeSize: 10,
      config: {},
    },
    createdAt: 1,
    tags: {},
  });
}

function alias(name: string, overrides: Partial<AliasRecord> = {}): AliasRecord {
  return {
    functionName: 'f',
    name,
    functionVersion: '1',
    description: '',
    additionalVersionWeights: {},
    revisionId: `rev-${name}`,
    ...overrides,
  };
}

function provisioned(qualifier: string, requested = 2): ProvisionedConcurrencyRecord {
  return {
    functionName: 'f',
    qualifier,
    requested,
    allocated: 0,
    available: 0,
    status: 'IN_PROGRESS',
    lastModified: 5,
  };
}

function layer(name: string, overrides: Partial<NewLayerVersion> = {}): NewLayerVersion {
  return {
    layerName: name,
    description: '',
    createdAt: 7,
    codeSha256: 'c'.repeat(64),
    codeSize: 30,
    unzippedSize: 90,
    ...overrides,
  };
}

export function runRegistryStoreContract(options: StoreContractOptions): void {
  function storeTest(name: string, body: (store: Store) => Promise<void>): void {
    test(name, async (t) => {
      const opened = await options.open(new ManualClock(Date.UTC(2025, 4, 1)));
      t.after(() => opened.cleanup());
      await body(opened.store);
    });
  }

  describe(`RegistryStore contract: ${options.name}`, () => {
    storeTest('keeps aliases by name, with compare-and-set and a version filter', async (store) => {
      assert.equal(await store.createAlias(alias('live')), 'no-function');
      await withFunction(store, 'f');
      assert.equal(await store.lastPublishedVersion('f'), 0);
      assert.equal(await store.lastPublishedVersion('ghost'), undefined);
      const weighted = alias('canary', { additionalVersionWeights: { '2': 0.25 } });
      assert.equal(await store.createAlias(alias('live')), 'created');
      assert.equal(await store.createAlias(weighted), 'created');
      assert.equal(await store.createAlias(alias('live', { functionVersion: '3' })), 'exists');
      assert.deepEqual(await store.getAlias('f', 'canary'), weighted);
      assert.equal(await store.getAlias('f', 'nope'), undefined);
      await store.createAlias(alias('zeta', { functionVersion: '2' }));
      const names = async (q: { functionVersion?: string; after?: string; limit: number }) =>
        (await store.listAliases({ functionName: 'f', ...q })).map((a) => a.name);
      assert.deepEqual(await names({ limit: 10 }), ['canary', 'live', 'zeta']);
      assert.deepEqual(await names({ limit: 10, functionVersion: '2' }), ['zeta']);
      assert.deepEqual(await names({ limit: 1, after: 'canary' }), ['live']);
      const moved = alias('live', { functionVersion: '2', revisionId: 'r2' });
      assert.equal(await store.replaceAlias(moved, 'stale'), false);
      assert.equal(await store.replaceAlias(moved, 'rev-live'), true);
      assert.deepEqual(await store.getAlias('f', 'live'), moved);
      assert.equal(await store.deleteAlias('f', 'live'), true);
      assert.equal(await store.deleteAlias('f', 'live'), false);
      await store.deleteFunction('f');
      assert.equal(await store.getAlias('f', 'canary'), undefined);
    });

    storeTest('reserves concurrency within a total, atomically', async (store) => {
      await withFunction(store, 'f');
      await withFunction(store, 'g');
      assert.equal(await store.getReservedConcurrency('f'), null);
      assert.equal(await store.getReservedConcurrency('ghost'), undefined);
      assert.equal(await store.putReservedConcurrency('f', 60, 100), 'set');
      assert.equal(await store.putReservedConcurrency('g', 41, 100), 'exceeds');
      assert.equal(await store.putReservedConcurrency('g', 40, 100), 'set');
      // A function's own reservation does not count against its new one.
      assert.equal(await store.putReservedConcurrency('f', 60, 100), 'set');
      assert.equal(await store.putReservedConcurrency('ghost', 1, 100), 'not-found');
      assert.equal(await store.totalReservedConcurrency(), 100);
      assert.equal(await store.deleteReservedConcurrency('f'), true);
      assert.equal(await store.getReservedConcurrency('f'), null);
      assert.equal(await store.deleteReservedConcurrency('ghost'), false);
      await store.deleteFunction('g');
      assert.equal(await store.totalReservedConcurrency(), 0);
    });

    storeTest(
      'keeps provisioned configs; they go with their alias, version or function',
      async (store) => {
        assert.equal(await store.putProvisionedConcurrency(provisioned('1')), false);
        await withFunction(store, 'f');
        await store.publishFunctionVersion('f', {
          revisionId: 'p',
          codeSha256: 'a'.repeat(64),
          codeSize: 10,
          config: {},
        });
        await store.createAlias(alias('live'));
        assert.equal(await store.putProvisionedConcurrency(provisioned('1')), true);
        assert.equal(await store.putProvisionedConcurrency(provisioned('live', 3)), true);
        const ready: ProvisionedConcurrencyRecord = {
          ...provisioned('1'),
          allocated: 2,
          available: 1,
          status: 'FAILED',
          statusReason: 'why',
        };
        assert.equal(await store.putProvisionedConcurrency(ready), true);
        assert.deepEqual(await store.getProvisionedConcurrency('f', '1'), ready);
        assert.deepEqual(
          (await store.listProvisionedConcurrency({ functionName: 'f', limit: 10 })).map(
            (r) => r.qualifier,
          ),
          ['1', 'live'],
        );
        assert.deepEqual(
          (
            await store.listProvisionedConcurrency({ functionName: 'f', after: '1', limit: 10 })
          ).map((r) => r.qualifier),
          ['live'],
        );
        assert.equal((await store.listProvisionedConcurrency({ limit: 10 })).length, 2);
        await store.deleteAlias('f', 'live');
        assert.equal(await store.getProvisionedConcurrency('f', 'live'), undefined);
        await store.deleteFunctionVersion('f', '1');
        assert.equal(await store.getProvisionedConcurrency('f', '1'), undefined);
        await store.putProvisionedConcurrency(provisioned('9'));
        assert.equal(await store.deleteProvisionedConcurrency('f', '9'), true);
        assert.equal(await store.deleteProvisionedConcurrency('f', '9'), false);
        await store.putProvisionedConcurrency(provisioned('9'));
        await store.deleteFunction('f');
        assert.deepEqual(await store.listProvisionedConcurrency({ limit: 10 }), []);
      },
    );

    storeTest('numbers layer versions per name, never reusing a number', async (store) => {
      const withLists = layer('a', {
        compatibleRuntimes: ['nodejs20.x'],
        compatibleArchitectures: ['arm64'],
        licenseInfo: 'MIT',
      });
      assert.equal(await store.publishLayerVersion(withLists), 1);
      assert.equal(await store.publishLayerVersion(layer('a')), 2);
      assert.equal(await store.publishLayerVersion(layer('b')), 1);
      assert.deepEqual(await store.getLayerVersion('a', 1), { ...withLists, version: 1 });
      assert.deepEqual(await store.getLayerVersion('a', 2), { ...layer('a'), version: 2 });
      assert.equal(await store.deleteLayerVersion('a', 2), true);
      assert.equal(await store.deleteLayerVersion('a', 2), false);
      assert.equal(await store.publishLayerVersion(layer('a')), 3);
      assert.equal(await store.getLayerVersion('a', 2), undefined);
    });

    storeTest('lists layer versions and latest matching versions with filters', async (store) => {
      await store.publishLayerVersion(layer('a', { compatibleRuntimes: ['nodejs20.x'] }));
      await store.publishLayerVersion(layer('a', { compatibleRuntimes: ['python3.12'] }));
      await store.publishLayerVersion(layer('b', { compatibleArchitectures: ['arm64'] }));
      const versions = async (q: { compatibleRuntime?: string; before?: number; limit: number }) =>
        (await store.listLayerVersions({ layerName: 'a', ...q })).map((v) => v.version);
      assert.deepEqual(await versions({ limit: 10 }), [2, 1]);
      assert.deepEqual(await versions({ limit: 10, compatibleRuntime: 'nodejs20.x' }), [1]);
      assert.deepEqual(await versions({ limit: 10, before: 2 }), [1]);
      const latest = async (q: {
        compatibleRuntime?: string;
        compatibleArchitecture?: string;
        after?: string;
      }) =>
        (await store.listLatestLayerVersions({ limit: 10, ...q })).map(
          (v) => `${v.layerName}:${String(v.version)}`,
        );
      assert.deepEqual(await latest({}), ['a:2', 'b:1']);
      assert.deepEqual(await latest({ compatibleRuntime: 'nodejs20.x' }), ['a:1']);
      assert.deepEqual(await latest({ compatibleArchitecture: 'arm64' }), ['b:1']);
      assert.deepEqual(await latest({ after: 'a' }), ['b:1']);
    });

    storeTest('keeps layer version policies under compare-and-set', async (store) => {
      await store.publishLayerVersion(layer('a'));
      const change = (statementId: string, expectedRevisionId?: string, newRevisionId = 'n') => ({
        layerName: 'a',
        version: 1,
        statementId,
        newRevisionId,
        ...(expectedRevisionId !== undefined && { expectedRevisionId }),
      });
      assert.deepEqual(await store.getLayerVersionPolicy('a', 1), { statements: [] });
      assert.equal(await store.getLayerVersionPolicy('a', 9), undefined);
      assert.equal(
        await store.addLayerVersionStatement(change('s1', 'x'), '{}'),
        'revision-mismatch',
      );
      assert.equal(
        await store.addLayerVersionStatement(change('s1', undefined, 'r1'), '{"a":1}'),
        'added',
      );
      assert.equal(await store.addLayerVersionStatement(change('s1'), '{}'), 'exists');
      assert.equal(
        await store.addLayerVersionStatement(change('s2', 'r1', 'r2'), '{"b":2}'),
        'added',
      );
      assert.equal(
        await store.addLayerVersionStatement({ ...change('s'), version: 9 }, '{}'),
        'not-found',
      );
      assert.deepEqual(await store.getLayerVersionPolicy('a', 1), {
        statements: ['{"a":1}', '{"b":2}'],
        revisionId: 'r2',
      });
      assert.equal(
        await store.removeLayerVersionStatement(change('s1', 'r1')),
        'revision-mismatch',
      );
      assert.equal(await store.removeLayerVersionStatement(change('zz')), 'no-statement');
      assert.equal(await store.removeLayerVersionStatement(change('s1', 'r2', 'r3')), 'removed');
      assert.deepEqual(await store.getLayerVersionPolicy('a', 1), {
        statements: ['{"b":2}'],
        revisionId: 'r3',
      });
      await store.deleteLayerVersion('a', 1);
      assert.equal(await store.removeLayerVersionStatement(change('s2')), 'not-found');
    });

    storeTest('counts layer packages in usage and referenced code', async (store) => {
      await withFunction(store, 'f');
      await store.publishLayerVersion(layer('a', { codeSha256: 'd'.repeat(64), codeSize: 5 }));
      assert.deepEqual(await store.getAccountUsage(), { functionCount: 1, totalCodeSize: 15 });
      assert.deepEqual(await store.listReferencedCode(), new Set(['a'.repeat(64), 'd'.repeat(64)]));
      await store.deleteLayerVersion('a', 1);
      assert.deepEqual(await store.listReferencedCode(), new Set(['a'.repeat(64)]));
    });

    storeTest('lists the versions of one function', async (store) => {
      await withFunction(store, 'f');
      await withFunction(store, 'g');
      await store.publishFunctionVersion('f', {
        revisionId: 'p',
        codeSha256: 'a'.repeat(64),
        codeSize: 10,
        config: {},
      });
      const rows = await store.listFunctionVersions({
        functionName: 'f',
        versions: 'all',
        limit: 10,
      });
      assert.deepEqual(
        rows.map((r) => `${r.functionName}:${r.version}`),
        ['f:$LATEST', 'f:1'],
      );
      assert.equal(await store.lastPublishedVersion('f'), 1);
    });
  });
}
