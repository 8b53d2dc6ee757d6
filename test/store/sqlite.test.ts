import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { ManualClock } from '../../src/core/clock.js';
import { LATEST, openSqliteStore, type JsonObject, type Store } from '../../src/store/index.js';
import { MIGRATIONS } from '../../src/store/sqlite/migrations.js';
import { runRegistryStoreContract } from './registry.contract.js';
import { runStoreContract, type StoreContractOptions } from './store.contract.js';

async function tempDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'fogbank-store-'));
}

/** Creates a function with a `$LATEST` version (revision `r`, code `a`) in the store. */
async function createLatest(
  store: Store,
  functionName: string,
  options: { codeSize?: number; config?: JsonObject; tags?: Record<string, string> } = {},
): Promise<void> {
  await store.createFunction({
    latest: {
      functionName,
      version: LATEST,
      revisionId: 'r',
      codeSha256: 'a',
      codeSize: options.codeSize ?? 1,
      config: options.config ?? {},
    },
    createdAt: 1,
    tags: options.tags ?? {},
  });
}

const SQLITE: StoreContractOptions = {
  name: 'SQLite',
  open: async (clock) => {
    const dir = await tempDir();
    const store = await openSqliteStore(dir, { clock });
    return {
      store,
      cleanup: async () => {
        await store.close();
        await rm(dir, { recursive: true, force: true });
      },
    };
  },
};

runStoreContract(SQLITE);
runRegistryStoreContract(SQLITE);

test('SQLite: opens <dataDir>/fogbank.db in WAL mode and records migrations', async (t) => {
  const dir = await tempDir();
  t.after(() => rm(dir, { recursive: true, force: true }));
  const clock = new ManualClock(1_000);
  const store = await openSqliteStore(join(dir, 'nested', 'data'), { clock });
  await store.close();
  const db = new Database(join(dir, 'nested', 'data', 'fogbank.db'), { readonly: true });
  t.after(() => db.close());
  assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
  const rows = db
    .prepare('SELECT version, name, applied_at FROM schema_migrations ORDER BY version')
    .all();
  assert.deepEqual(
    rows,
    MIGRATIONS.map((m) => ({ version: m.version, name: m.name, applied_at: 1_000 })),
  );
});

test('SQLite: deleting a function cascades to its versions (foreign keys are on)', async (t) => {
  const dir = await tempDir();
  t.after(() => rm(dir, { recursive: true, force: true }));
  const store = await openSqliteStore(dir);
  t.after(() => store.close());
  await createLatest(store, 'f');
  await store.deleteFunction('f');
  const db = new Database(join(dir, 'fogbank.db'), { readonly: true });
  t.after(() => db.close());
  assert.equal(
    db.prepare<[], { n: number }>('SELECT count(*) AS n FROM function_versions').get()?.n,
    0,
  );
});

test('SQLite: data survives a reopen and migrations are not applied twice', async (t) => {
  const dir = await tempDir();
  t.after(() => rm(dir, { recursive: true, force: true }));
  const first = await openSqliteStore(dir);
  await createLatest(first, 'keep', { codeSize: 3, config: { x: 1 }, tags: { t: 'v' } });
  await first.appendLogEvents([
    { logGroupName: 'g', logStreamName: 's', timestamp: 1, message: 'm' },
  ]);
  await first.close();
  const second = await openSqliteStore(dir);
  t.after(() => second.close());
  assert.equal((await second.getFunctionVersion('keep', LATEST))?.codeSize, 3);
  assert.deepEqual(await second.getTags({ kind: 'function', id: 'keep' }), { t: 'v' });
  assert.equal((await second.getLogEvents({ logGroupName: 'g', limit: 5 })).length, 1);
});

test('SQLite: refuses a database written by a newer Fogbank', async (t) => {
  const dir = await tempDir();
  t.after(() => rm(dir, { recursive: true, force: true }));
  await (await openSqliteStore(dir)).close();
  const db = new Database(join(dir, 'fogbank.db'));
  db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (999, ?, 0)').run(
    'future',
  );
  db.close();
  await assert.rejects(openSqliteStore(dir), /written by a newer version/);
});

test('SQLite: WAL checkpoints run on a worker thread, never inside a commit', async (t) => {
  const dir = await tempDir();
  t.after(() => rm(dir, { recursive: true, force: true }));
  const store = await openSqliteStore(dir);
  t.after(() => store.close());
  assert.equal(store.database.pragma('wal_autocheckpoint', { simple: true }), 0);
  const dbFile = join(dir, 'fogbank.db');
  const before = (await stat(dbFile)).size;
  // About 2 MB of log lines, several times SQLite's own checkpoint threshold.
  const line = 'x'.repeat(1_000);
  for (let batch = 0; batch < 20; batch++) {
    await store.appendLogEvents(
      Array.from({ length: 100 }, (_, i) => ({
        logGroupName: 'g',
        logStreamName: 's',
        timestamp: batch * 100 + i,
        message: line,
      })),
    );
  }
  // The commits never copy the WAL into the database file (autocheckpoint is off); the worker's
  // rounds (once a second) do.
  const deadline = Date.now() + 5_000;
  while ((await stat(dbFile)).size < before + 2_000_000) {
    assert.ok(Date.now() < deadline, 'the WAL was never checkpointed into the database file');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  assert.equal((await store.getLogEvents({ logGroupName: 'g', limit: 5000 })).length, 2_000);
});

test('SQLite: a write of more lines than one row holds reads back whole and in order', async (t) => {
  const dir = await tempDir();
  t.after(() => rm(dir, { recursive: true, force: true }));
  const store = await openSqliteStore(dir);
  t.after(() => store.close());
  // 65,536 lines fit one row; these take two.
  const lines = Array.from({ length: 70_000 }, (_, i) => String(i));
  await store.appendLogEvents([
    { logGroupName: 'g', logStreamName: 's', timestamp: 1, message: lines.join('\n') },
  ]);
  const events = await store.getLogEvents({ logGroupName: 'g', limit: 100_000 });
  assert.deepEqual(
    events.map((e) => e.message),
    lines,
  );
  assert.ok(events.every((e, i) => i === 0 || e.id > events[i - 1]!.id));
  const tail = await store.getLogEvents({
    logGroupName: 'g',
    afterId: events[65_535]!.id,
    limit: 2,
  });
  assert.deepEqual(
    tail.map((e) => e.message),
    ['65536', '65537'],
  );
});

test('SQLite: a second connection sees committed writes (WAL readers)', async (t) => {
  const dir = await tempDir();
  t.after(() => rm(dir, { recursive: true, force: true }));
  const writer = await openSqliteStore(dir);
  const reader = await openSqliteStore(dir);
  t.after(async () => {
    await writer.close();
    await reader.close();
  });
  await createLatest(writer, 'shared');
  assert.equal((await reader.getFunctionVersion('shared', LATEST))?.revisionId, 'r');
});

test("SQLite: a configuration's secrets are sealed at rest and read back in the clear", async (t) => {
  const dir = await tempDir();
  t.after(() => rm(dir, { recursive: true, force: true }));
  const store = await openSqliteStore(dir);
  await createLatest(store, 'secretive', {
    config: { handler: 'index.handler', secrets: { DB_PASSWORD: 'hunter2' } },
  });
  assert.deepEqual((await store.getFunctionVersion('secretive', LATEST))?.config.secrets, {
    DB_PASSWORD: 'hunter2',
  });
  await store.close();
  const bytes = await readFile(join(dir, 'fogbank.db'));
  const wal = await readFile(join(dir, 'fogbank.db-wal')).catch(() => Buffer.alloc(0));
  assert.equal(Buffer.concat([bytes, wal]).includes('hunter2'), false);
  assert.equal(((await stat(join(dir, 'secret.key'))).mode & 0o777).toString(8), '600');

  const reopened = await openSqliteStore(dir);
  t.after(() => reopened.close());
  assert.deepEqual((await reopened.getFunctionVersion('secretive', LATEST))?.config.secrets, {
    DB_PASSWORD: 'hunter2',
  });
});

test('SQLite: a database opened with another key refuses to reveal its secrets', async (t) => {
  const dir = await tempDir();
  t.after(() => rm(dir, { recursive: true, force: true }));
  const store = await openSqliteStore(dir);
  await createLatest(store, 'f', { config: { secrets: { K: 'v' } } });
  await store.close();
  const other = await openSqliteStore(dir, { secretKey: randomBytes(32).toString('base64') });
  t.after(() => other.close());
  await assert.rejects(other.getFunctionVersion('f', LATEST), /secret key differs/);
});
