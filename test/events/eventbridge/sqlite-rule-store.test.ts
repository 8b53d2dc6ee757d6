/**
 * SqliteRuleStore (src/store/sqlite/rules.ts) on a real database: the migration is idempotent,
 * a rule's fire record survives PutRule, targets keep their order, prefixes match literally.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import type { StoredRule } from '../../../src/events/eventbridge/index.js';
import { SqliteRuleStore, migrateRules } from '../../../src/store/sqlite/rules.js';

function openStore(): { db: Database.Database; store: SqliteRuleStore } {
  const db = new Database(':memory:');
  migrateRules(db);
  migrateRules(db);
  return { db, store: new SqliteRuleStore(db) };
}

const rule = (name: string, extra: Partial<StoredRule> = {}): StoredRule => ({
  busName: 'default',
  name,
  state: 'ENABLED',
  createdBy: '000000000000',
  scheduleFrom: 1000,
  ...extra,
});

test('migrateRules can run on every start', (t) => {
  const { db } = openStore();
  t.after(() => db.close());
  const tables = db
    .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'eventbridge_%'")
    .all() as { name: string }[];
  assert.deepEqual(tables.map((r) => r.name).sort(), [
    'eventbridge_buses',
    'eventbridge_rules',
    'eventbridge_targets',
  ]);
});

test('rules: put, fire record, replace, state, delete with targets', async (t) => {
  const { db, store } = openStore();
  t.after(() => db.close());
  await store.putRule(rule('r', { description: 'd', roleArn: 'arn:aws:iam::000000000000:role/x' }));
  await store.recordFire('default', 'r', 5000);
  assert.deepEqual(await store.getRule('default', 'r'), {
    ...rule('r', { description: 'd', roleArn: 'arn:aws:iam::000000000000:role/x' }),
    lastFiredAt: 5000,
  });

  // Replacing the definition keeps the fire record; cleared members are cleared.
  await store.putRule(rule('r', { scheduleFrom: 2000, eventPattern: '{"a":["b"]}' }));
  assert.deepEqual(await store.getRule('default', 'r'), {
    ...rule('r', { scheduleFrom: 2000, eventPattern: '{"a":["b"]}' }),
    lastFiredAt: 5000,
  });

  assert.equal(await store.setRuleState('default', 'r', 'DISABLED'), true);
  assert.equal((await store.getRule('default', 'r'))?.scheduleFrom, 2000);
  assert.equal(await store.setRuleState('default', 'r', 'ENABLED', 9000), true);
  assert.equal((await store.getRule('default', 'r'))?.scheduleFrom, 9000);
  assert.equal(await store.setRuleState('default', 'missing', 'ENABLED'), false);

  await store.putTargets('default', 'r', [{ id: 'a', arn: 'arn:1' }]);
  assert.equal(await store.deleteRule('default', 'r'), true);
  assert.equal(await store.getRule('default', 'r'), undefined);
  assert.deepEqual(await store.listTargets('default', 'r'), [], 'targets go with the rule');
  assert.equal(await store.deleteRule('default', 'r'), false);
});

test('listing: by bus, by literal prefix, scheduled rules across buses', async (t) => {
  const { db, store } = openStore();
  t.after(() => db.close());
  await store.putRule(rule('a_1', { scheduleExpression: 'rate(1 hour)' }));
  await store.putRule(rule('ab1', { eventPattern: '{}' }));
  await store.putRule(rule('b', { busName: 'other', eventPattern: '{}' }));
  assert.deepEqual(
    (await store.listRules('default', 'a_')).map((r) => r.name),
    ['a_1'],
    '_ is not a wildcard',
  );
  assert.deepEqual(
    (await store.listRules('default', '')).map((r) => r.name),
    ['a_1', 'ab1'],
  );
  assert.deepEqual(
    (await store.listScheduledRules()).map((r) => r.name),
    ['a_1'],
  );
  assert.equal(await store.busHasRules('other'), true);
  assert.equal(await store.busHasRules('empty'), false);
});

test('targets keep the order they were first added in; replacing keeps the place', async (t) => {
  const { db, store } = openStore();
  t.after(() => db.close());
  await store.putTargets('default', 'r', [
    { id: 'z', arn: 'arn:z' },
    { id: 'a', arn: 'arn:a' },
  ]);
  await store.putTargets('default', 'r', [
    { id: 'm', arn: 'arn:m' },
    { id: 'z', arn: 'arn:z2', input: '{}' },
  ]);
  assert.deepEqual(await store.listTargets('default', 'r'), [
    { id: 'z', arn: 'arn:z2', input: '{}' },
    { id: 'a', arn: 'arn:a' },
    { id: 'm', arn: 'arn:m' },
  ]);
  await store.removeTargets('default', 'r', ['a', 'nope']);
  assert.deepEqual(
    (await store.listTargets('default', 'r')).map((t) => t.id),
    ['z', 'm'],
  );
});

test('buses: create once, list by prefix, delete', async (t) => {
  const { db, store } = openStore();
  t.after(() => db.close());
  assert.equal(await store.createBus({ name: 'b%', createdAt: 1, modifiedAt: 1 }), true);
  assert.equal(await store.createBus({ name: 'b%', createdAt: 2, modifiedAt: 2 }), false);
  await store.createBus({ name: 'bx', description: 'x', createdAt: 3, modifiedAt: 3 });
  assert.deepEqual(await store.listBuses('b%'), [{ name: 'b%', createdAt: 1, modifiedAt: 1 }]);
  assert.deepEqual(await store.getBus('bx'), {
    name: 'bx',
    description: 'x',
    createdAt: 3,
    modifiedAt: 3,
  });
  await store.deleteBus('bx');
  assert.equal(await store.getBus('bx'), undefined);
});
