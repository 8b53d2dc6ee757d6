/**
 * The Store contract: every implementation (SQLite now, PostgreSQL later) runs this suite.
 * A runner supplies `open`; `skip` lists tests an implementation cannot run, each with a reason.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ManualClock, type Clock } from '../../src/core/clock.js';
import { LATEST, type FunctionVersionRecord, type Store } from '../../src/store/index.js';

export interface OpenedStore {
  readonly store: Store;
  /** Closes the store and removes whatever it created. */
  readonly cleanup: () => Promise<void>;
}

export interface StoreContractOptions {
  readonly name: string;
  readonly open: (clock: Clock) => Promise<OpenedStore>;
  readonly skip?: readonly { readonly reason: string; readonly tests: readonly string[] }[];
}

function latest(
  functionName: string,
  overrides: Partial<FunctionVersionRecord> = {},
): FunctionVersionRecord {
  return {
    functionName,
    version: LATEST,
    revisionId: `rev-${functionName}`,
    codeSha256: 'a'.repeat(64),
    codeSize: 100,
    config: { handler: 'index.handler', nested: { list: [1, 'two', null, true] } },
    ...overrides,
  };
}

/** A version's content without its identity, as publishFunctionVersion takes it. */
function published(
  functionName: string,
  overrides: Partial<FunctionVersionRecord> = {},
): Omit<FunctionVersionRecord, 'functionName' | 'version'> {
  const { revisionId, codeSha256, codeSize, config } = latest(functionName, overrides);
  return { revisionId, codeSha256, codeSize, config };
}

export function runStoreContract(options: StoreContractOptions): void {
  const skipped = new Map<string, string>();
  for (const group of options.skip ?? []) {
    for (const name of group.tests) {
      skipped.set(name, group.reason);
    }
  }

  /** One test with a fresh store, closed and removed afterwards. */
  function storeTest(
    name: string,
    body: (store: Store, clock: ManualClock) => Promise<void>,
  ): void {
    const reason = skipped.get(name);
    test(name, reason === undefined ? {} : { skip: reason }, async (t) => {
      const clock = new ManualClock(Date.UTC(2025, 4, 1, 12));
      const opened = await options.open(clock);
      t.after(() => opened.cleanup());
      await body(opened.store, clock);
    });
  }

  describe(`Store contract: ${options.name}`, () => {
    storeTest('creates a function with its $LATEST version and tags', async (store) => {
      assert.equal(
        await store.createFunction({ latest: latest('f1'), createdAt: 1, tags: { team: 'a' } }),
        true,
      );
      assert.deepEqual(await store.getFunctionVersion('f1', LATEST), latest('f1'));
      assert.deepEqual(await store.getTags({ kind: 'function', id: 'f1' }), { team: 'a' });
    });

    storeTest('refuses a second function of the same name and changes nothing', async (store) => {
      await store.createFunction({ latest: latest('f1'), createdAt: 1, tags: { team: 'a' } });
      const again = latest('f1', { revisionId: 'other', codeSize: 7 });
      assert.equal(
        await store.createFunction({ latest: again, createdAt: 2, tags: { x: 'y' } }),
        false,
      );
      assert.deepEqual(await store.getFunctionVersion('f1', LATEST), latest('f1'));
      assert.deepEqual(await store.getTags({ kind: 'function', id: 'f1' }), { team: 'a' });
    });

    storeTest('answers undefined for unknown functions and versions', async (store) => {
      assert.equal(await store.getFunctionVersion('nope', LATEST), undefined);
      await store.createFunction({ latest: latest('f1'), createdAt: 1, tags: {} });
      assert.equal(await store.getFunctionVersion('f1', '1'), undefined);
    });

    storeTest('replaces a version only when the expected revision matches', async (store) => {
      await store.createFunction({ latest: latest('f1'), createdAt: 1, tags: {} });
      const changed = latest('f1', {
        revisionId: 'r2',
        codeSha256: 'b'.repeat(64),
        codeSize: 5,
        config: { a: 1 },
      });
      assert.equal(await store.replaceFunctionVersion(changed, 'stale'), false);
      assert.deepEqual(await store.getFunctionVersion('f1', LATEST), latest('f1'));
      assert.equal(await store.replaceFunctionVersion(changed, 'rev-f1'), true);
      assert.deepEqual(await store.getFunctionVersion('f1', LATEST), changed);
      assert.equal(await store.replaceFunctionVersion(latest('ghost'), 'rev-ghost'), false);
    });

    storeTest('numbers published versions without ever reusing a number', async (store) => {
      await store.createFunction({ latest: latest('f1'), createdAt: 1, tags: {} });
      const source = published('f1', { revisionId: 'p' });
      assert.equal(await store.publishFunctionVersion('f1', source), '1');
      assert.equal(await store.publishFunctionVersion('f1', source), '2');
      assert.equal(await store.deleteFunctionVersion('f1', '2'), true);
      assert.equal(await store.deleteFunctionVersion('f1', '2'), false);
      assert.equal(await store.publishFunctionVersion('f1', source), '3');
      assert.deepEqual(await store.getFunctionVersion('f1', '3'), {
        ...source,
        functionName: 'f1',
        version: '3',
      });
      assert.equal(await store.publishFunctionVersion('ghost', source), undefined);
    });

    storeTest(
      'lists $LATEST rows or all versions in name and version order, by cursor',
      async (store) => {
        for (const name of ['b', 'a', 'c']) {
          await store.createFunction({ latest: latest(name), createdAt: 1, tags: {} });
        }
        const source = published('x');
        for (let i = 0; i < 10; i++) {
          await store.publishFunctionVersion('b', source);
        }
        const names = (rows: FunctionVersionRecord[]): string[] =>
          rows.map((r) => `${r.functionName}:${r.version}`);
        assert.deepEqual(
          names(await store.listFunctionVersions({ versions: 'latest', limit: 10 })),
          ['a:$LATEST', 'b:$LATEST', 'c:$LATEST'],
        );
        const all = await store.listFunctionVersions({ versions: 'all', limit: 100 });
        assert.deepEqual(names(all), [
          'a:$LATEST',
          'b:$LATEST',
          ...Array.from({ length: 10 }, (_, i) => `b:${String(i + 1)}`),
          'c:$LATEST',
        ]);
        const page = await store.listFunctionVersions({
          versions: 'all',
          limit: 3,
          after: { functionName: 'b', versionNumber: 9 },
        });
        assert.deepEqual(names(page), ['b:10', 'c:$LATEST']);
        const afterA = await store.listFunctionVersions({
          versions: 'latest',
          limit: 1,
          after: { functionName: 'a', versionNumber: 0 },
        });
        assert.deepEqual(names(afterA), ['b:$LATEST']);
      },
    );

    storeTest('deletes a function with its versions and tags', async (store) => {
      await store.createFunction({ latest: latest('f1'), createdAt: 1, tags: { k: 'v' } });
      const source = published('f1');
      await store.publishFunctionVersion('f1', source);
      assert.equal(await store.deleteFunction('f1'), true);
      assert.equal(await store.deleteFunction('f1'), false);
      assert.equal(await store.getFunctionVersion('f1', LATEST), undefined);
      assert.equal(await store.getFunctionVersion('f1', '1'), undefined);
      assert.equal(await store.getTags({ kind: 'function', id: 'f1' }), undefined);
      await store.createFunction({ latest: latest('f1'), createdAt: 2, tags: {} });
      assert.deepEqual(await store.getTags({ kind: 'function', id: 'f1' }), {});
      const again = published('f1');
      assert.equal(await store.publishFunctionVersion('f1', again), '1');
    });

    storeTest('tags, overwrites and untags; refuses past the limit atomically', async (store) => {
      const fn = { kind: 'function', id: 'f1' } as const;
      assert.equal(await store.tagResource(fn, { a: '1' }, 50), 'not-found');
      assert.equal(await store.untagResource(fn, ['a']), false);
      await store.createFunction({ latest: latest('f1'), createdAt: 1, tags: { a: '1', b: '2' } });
      assert.equal(await store.tagResource(fn, { b: 'two', c: '3' }, 3), 'tagged');
      assert.deepEqual(await store.getTags(fn), { a: '1', b: 'two', c: '3' });
      assert.equal(await store.tagResource(fn, { c: 'x', d: '4' }, 3), 'too-many-tags');
      assert.deepEqual(await store.getTags(fn), { a: '1', b: 'two', c: '3' });
      assert.equal(await store.untagResource(fn, ['a', 'missing']), true);
      assert.deepEqual(await store.getTags(fn), { b: 'two', c: '3' });
    });

    storeTest('reports account usage and the code versions refer to', async (store) => {
      assert.deepEqual(await store.getAccountUsage(), { functionCount: 0, totalCodeSize: 0 });
      await store.createFunction({
        latest: latest('f1', { codeSize: 10 }),
        createdAt: 1,
        tags: {},
      });
      await store.createFunction({
        latest: latest('f2', { codeSize: 32, codeSha256: 'c'.repeat(64) }),
        createdAt: 1,
        tags: {},
      });
      const source = published('f1', { codeSize: 10 });
      await store.publishFunctionVersion('f1', source);
      assert.deepEqual(await store.getAccountUsage(), { functionCount: 2, totalCodeSize: 52 });
      assert.deepEqual(await store.listReferencedCode(), new Set(['a'.repeat(64), 'c'.repeat(64)]));
    });

    storeTest(
      'reads an appended message back as one event per line, paged by line',
      async (store) => {
        await store.appendLogEvents([
          { logGroupName: 'g', logStreamName: 's', timestamp: 5, message: 'START\n\nEND\n' },
          { logGroupName: 'g', logStreamName: 's', timestamp: 6, message: 'REPORT' },
        ]);
        const all = await store.getLogEvents({ logGroupName: 'g', limit: 10 });
        assert.deepEqual(
          all.map((e) => [e.message, e.timestamp]),
          [
            ['START', 5],
            ['', 5],
            ['END', 5],
            ['REPORT', 6],
          ],
        );
        const ids = all.map((e) => e.id);
        assert.deepEqual(
          ids,
          [...new Set(ids)].sort((a, b) => a - b),
        );
        // Page by page, two events at a time, each page after the last event of the one before.
        const paged: string[] = [];
        let afterId: number | undefined;
        for (;;) {
          const page = await store.getLogEvents({
            logGroupName: 'g',
            limit: 2,
            ...(afterId === undefined ? {} : { afterId }),
          });
          if (page.length === 0) {
            break;
          }
          paged.push(...page.map((e) => e.message));
          afterId = page.at(-1)!.id;
        }
        assert.deepEqual(paged, ['START', '', 'END', 'REPORT']);
      },
    );

    storeTest(
      'appends log events and reads them back in id order with filters',
      async (store, clock) => {
        await store.appendLogEvents([
          { logGroupName: '/aws/lambda/f', logStreamName: 's1', timestamp: 100, message: 'one' },
          { logGroupName: '/aws/lambda/f', logStreamName: 's2', timestamp: 90, message: 'two' },
          { logGroupName: '/aws/lambda/g', logStreamName: 's1', timestamp: 95, message: 'other' },
        ]);
        await clock.advance(1000);
        await store.appendLogEvents([
          { logGroupName: '/aws/lambda/f', logStreamName: 's1', timestamp: 80, message: 'three' },
        ]);
        const all = await store.getLogEvents({ logGroupName: '/aws/lambda/f', limit: 100 });
        assert.deepEqual(
          all.map((e) => e.message),
          ['one', 'two', 'three'],
        );
        const [first] = all;
        assert.ok(first);
        const ids = all.map((e) => e.id);
        assert.deepEqual(
          ids,
          [...new Set(ids)].sort((a, b) => a - b),
        );
        assert.equal(all[0]?.ingestionTime, Date.UTC(2025, 4, 1, 12));
        assert.equal(all[2]?.ingestionTime, Date.UTC(2025, 4, 1, 12) + 1000);
        const s1 = await store.getLogEvents({
          logGroupName: '/aws/lambda/f',
          logStreamName: 's1',
          limit: 100,
        });
        assert.deepEqual(
          s1.map((e) => [e.logStreamName, e.timestamp, e.message]),
          [
            ['s1', 100, 'one'],
            ['s1', 80, 'three'],
          ],
        );
        const tail = await store.getLogEvents({
          logGroupName: '/aws/lambda/f',
          afterId: first.id,
          limit: 1,
        });
        assert.deepEqual(
          tail.map((e) => e.message),
          ['two'],
        );
        const recent = await store.getLogEvents({
          logGroupName: '/aws/lambda/f',
          startTime: 90,
          limit: 100,
        });
        assert.deepEqual(
          recent.map((e) => e.message),
          ['one', 'two'],
        );
        assert.deepEqual(
          await store.getLogEvents({ logGroupName: '/aws/lambda/none', limit: 10 }),
          [],
        );
      },
    );

    storeTest(
      'summarizes log streams with their first and last event timestamps',
      async (store) => {
        await store.appendLogEvents([
          { logGroupName: 'g', logStreamName: 'b', timestamp: 50, message: 'x' },
          { logGroupName: 'g', logStreamName: 'a', timestamp: 70, message: 'x' },
          { logGroupName: 'g', logStreamName: 'a', timestamp: 20, message: 'x' },
          { logGroupName: 'h', logStreamName: 'z', timestamp: 1, message: 'x' },
        ]);
        await store.appendLogEvents([
          { logGroupName: 'g', logStreamName: 'a', timestamp: 90, message: 'x' },
        ]);
        assert.deepEqual(await store.listLogStreams('g'), [
          { logStreamName: 'a', firstEventTimestamp: 20, lastEventTimestamp: 90 },
          { logStreamName: 'b', firstEventTimestamp: 50, lastEventTimestamp: 50 },
        ]);
        assert.deepEqual(await store.listLogStreams('nothing'), []);
      },
    );

    storeTest('stores no log event of a batch that fails', async (store) => {
      const bad = {
        logGroupName: 'g',
        logStreamName: 's',
        timestamp: 1,
        message: null,
      } as unknown as {
        logGroupName: string;
        logStreamName: string;
        timestamp: number;
        message: string;
      };
      await assert.rejects(
        store.appendLogEvents([
          { logGroupName: 'g', logStreamName: 's', timestamp: 1, message: 'ok' },
          bad,
        ]),
      );
      assert.deepEqual(await store.getLogEvents({ logGroupName: 'g', limit: 10 }), []);
      assert.deepEqual(await store.listLogStreams('g'), []);
    });
  });
}
