/**
 * Set-up for the function-config services: a real SQLite database in a temp dir, a registry
 * stand-in that knows which functions, versions and aliases exist (the registry is not the part
 * under test), destinations that exist by ARN, and a manual clock.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import Database from 'better-sqlite3';
import {
  createFunctionConfigServices,
  type ConfigResolver,
  type FunctionConfigServices,
} from '../../../src/control/function-config/index.js';
import { functionArn, type AccountContext } from '../../../src/core/arn.js';
import { ManualClock } from '../../../src/core/clock.js';
import { ServiceError, resourceNotFound } from '../../../src/core/errors.js';
import {
  FUNCTION_CONFIG_MIGRATION,
  SqliteFunctionConfigStore,
} from '../../../src/store/sqlite/function-config-tables.js';
import { migrate } from '../../../src/store/sqlite/migrations.js';

export const CTX: AccountContext = { region: 'us-east-1', accountId: '123456789012' };
export const ENDPOINT = 'http://127.0.0.1:4566';
export const ARN = (name: string, qualifier?: string): string => functionArn(CTX, name, qualifier);

/** Functions with their versions and aliases; every change is announced like the registry does. */
export class TestRegistry implements ConfigResolver {
  readonly #functions = new Map<string, Set<string>>();
  readonly #listeners: ((functionName: string) => void)[] = [];

  /** Creates a function with `$LATEST` and the given versions/aliases. */
  add(name: string, ...qualifiers: string[]): void {
    this.#functions.set(name, new Set(['$LATEST', ...qualifiers]));
    this.#changed(name);
  }

  addQualifier(name: string, qualifier: string): void {
    this.#functions.get(name)?.add(qualifier);
    this.#changed(name);
  }

  removeQualifier(name: string, qualifier: string): void {
    this.#functions.get(name)?.delete(qualifier);
    this.#changed(name);
  }

  remove(name: string): void {
    this.#functions.delete(name);
    this.#changed(name);
  }

  resolve(functionName: string, qualifier: string | undefined): Promise<unknown> {
    const q = qualifier ?? '$LATEST';
    if (this.#functions.get(functionName)?.has(q) === true) {
      return Promise.resolve({ functionName, version: q });
    }
    return Promise.reject(resourceNotFound(`Function not found: ${ARN(functionName, qualifier)}`));
  }

  onChange(listener: (functionName: string) => void): void {
    this.#listeners.push(listener);
  }

  #changed(name: string): void {
    for (const listener of this.#listeners) {
      listener(name);
    }
  }
}

export interface Setup {
  readonly services: FunctionConfigServices;
  readonly registry: TestRegistry;
  readonly store: SqliteFunctionConfigStore;
  readonly db: Database.Database;
  readonly clock: ManualClock;
  /** ARNs the destination validator knows. */
  readonly destinations: Set<string>;
  readonly warnings: string[];
}

export async function setup(t: TestContext): Promise<Setup> {
  const dir = await mkdtemp(join(tmpdir(), 'fogbank-fnconfig-'));
  const db = new Database(join(dir, 'fogbank.db'));
  db.pragma('journal_mode = WAL');
  const clock = new ManualClock(Date.UTC(2025, 4, 1, 12, 34, 56, 789));
  migrate(db, [FUNCTION_CONFIG_MIGRATION], clock.now());
  const store = new SqliteFunctionConfigStore(db);
  const registry = new TestRegistry();
  const destinations = new Set<string>();
  const warnings: string[] = [];
  const services = createFunctionConfigServices({
    store,
    resolver: registry,
    ctx: CTX,
    clock,
    publicEndpoint: ENDPOINT,
    destinations: { exists: (arn) => Promise.resolve(destinations.has(arn)) },
    onWarning: (message) => warnings.push(message),
  });
  t.after(async () => {
    await services.settled();
    db.close();
    await rm(dir, { recursive: true, force: true });
  });
  return { services, registry, store, db, clock, destinations, warnings };
}

/** Awaits a rejection with exactly this AWS error code, status and message. */
export async function rejectsWith(
  promise: Promise<unknown>,
  expected: { code: string; status: number; message: string },
): Promise<void> {
  let caught: unknown;
  try {
    await promise;
  } catch (error) {
    caught = error;
  }
  assert.ok(caught instanceof ServiceError, `expected a ServiceError, got ${String(caught)}`);
  assert.deepEqual(
    { code: caught.code, status: caught.statusCode, message: caught.message },
    expected,
  );
}
