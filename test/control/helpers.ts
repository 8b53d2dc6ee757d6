/** Shared set-up for control-plane tests: a real SQLite store and code store in a temp dir. */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { strToU8, zipSync, type Zippable } from 'fflate';
import type { AccountContext } from '../../src/core/arn.js';
import { ManualClock } from '../../src/core/clock.js';
import { ServiceError } from '../../src/core/errors.js';
import { createControlPlane, type Registry } from '../../src/control/index.js';
import { openSqliteStore, type Store } from '../../src/store/index.js';

export const CTX: AccountContext = { region: 'us-east-1', accountId: '123456789012' };
export const ROLE = 'arn:aws:iam::123456789012:role/lambda-role';
export const ENDPOINT = 'http://127.0.0.1:4566';
/** The ARN of CTX's functions up to the name: `${ARN}:orders`. */
export const ARN = 'arn:aws:lambda:us-east-1:123456789012:function';
/** A version 4 UUID, as a RevisionId is. */
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

export interface Harness {
  readonly registry: Registry;
  readonly store: Store;
  readonly clock: ManualClock;
  readonly dataDir: string;
  /** Opens a second registry on the same data directory (a restart). */
  readonly restart: () => Promise<Registry>;
}

/** A registry over a fresh data directory, torn down when the test ends. */
export async function startRegistry(
  t: TestContext,
  options: { accountConcurrency?: number } = {},
): Promise<Harness> {
  const dataDir = await mkdtemp(join(tmpdir(), 'fogbank-control-'));
  const clock = new ManualClock(Date.UTC(2025, 4, 1, 12, 34, 56, 789));
  const store = await openSqliteStore(dataDir, { clock });
  const registries: Registry[] = [];
  const open = async (): Promise<Registry> => {
    const registry = await createControlPlane({
      store,
      dataDir,
      ctx: CTX,
      publicEndpoint: `${ENDPOINT}/`,
      accountConcurrency: options.accountConcurrency ?? 1000,
      clock,
    });
    registries.push(registry);
    return registry;
  };
  const registry = await open();
  t.after(async () => {
    for (const r of registries) {
      await r.stop();
    }
    await store.close();
    await rm(dataDir, { recursive: true, force: true });
  });
  return { registry, store, clock, dataDir, restart: open };
}

/** Lets pending lifecycle transitions (Pending → Active, InProgress → Successful) run. */
export async function settle(clock: ManualClock): Promise<void> {
  await clock.advance(0);
}

export interface EntrySpec {
  readonly data?: string | Uint8Array;
  /** Unix mode bits (type bits included for symlinks); written with os = Unix. */
  readonly mode?: number;
}

/** Builds a zip; entries given as a string are plain files without Unix attributes. */
export function makeZip(entries: Record<string, string | EntrySpec>): Buffer {
  const files: Zippable = {};
  for (const [path, spec] of Object.entries(entries)) {
    if (typeof spec === 'string') {
      files[path] = strToU8(spec);
      continue;
    }
    const data =
      typeof spec.data === 'string' ? strToU8(spec.data) : (spec.data ?? new Uint8Array());
    files[path] = spec.mode === undefined ? data : [data, { os: 3, attrs: spec.mode * 0x10000 }];
  }
  return Buffer.from(zipSync(files));
}

export const HELLO_ZIP = makeZip({
  'index.js': 'exports.handler = async () => "hello";\n',
});

/** A valid CreateFunction body; `overrides` replace members (undefined removes one). */
export function createBody(
  name: string,
  overrides: Record<string, unknown> = {},
): Record<string, unknown> {
  const body: Record<string, unknown> = {
    FunctionName: name,
    Runtime: 'nodejs20.x',
    Role: ROLE,
    Handler: 'index.handler',
    Code: { ZipFile: HELLO_ZIP.toString('base64') },
    ...overrides,
  };
  return Object.fromEntries(Object.entries(body).filter(([, value]) => value !== undefined));
}

/** Awaits a rejection with exactly this AWS error code, status and message. */
export async function rejectsWith(
  promise: Promise<unknown>,
  expected: { code: string; status: number; message: string | RegExp },
): Promise<ServiceError> {
  let caught: unknown;
  try {
    await promise;
  } catch (error) {
    caught = error;
  }
  assert.ok(caught instanceof ServiceError, `expected a ServiceError, got ${String(caught)}`);
  assert.equal(caught.code, expected.code);
  assert.equal(caught.statusCode, expected.status);
  if (typeof expected.message === 'string') {
    assert.equal(caught.message, expected.message);
  } else {
    assert.match(caught.message, expected.message);
  }
  return caught;
}

/** The store's view of a function, to prove a failed call changed nothing. */
export async function snapshot(store: Store): Promise<unknown> {
  return {
    versions: await store.listFunctionVersions({ versions: 'all', limit: 1000 }),
    usage: await store.getAccountUsage(),
    tags: await Promise.all(
      (await store.listFunctionVersions({ versions: 'latest', limit: 1000 })).map((v) =>
        store.getTags({ kind: 'function', id: v.functionName }),
      ),
    ),
  };
}
