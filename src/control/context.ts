/**
 * What the parts of the registry share (store, code store, locks, lifecycle, change
 * notification), and the lookups and error texts several of them need.
 */
import { functionArn, type AccountContext } from '../core/arn.js';
import type { Clock } from '../core/clock.js';
import { resourceConflict, resourceNotFound } from '../core/errors.js';
import { LATEST, type AliasRecord, type Store } from '../store/index.js';
import type { CodeStore } from './code-store.js';
import { decodeVersion, type FunctionVersion } from './function-version.js';
import type { KeyedMutex } from './keyed-mutex.js';
import type { LifecycleTransitions } from './lifecycle.js';

export interface RegistryContext {
  readonly store: Store;
  readonly code: CodeStore;
  readonly ctx: AccountContext;
  readonly clock: Clock;
  /** Base URL of this server as clients reach it, without a trailing slash. */
  readonly endpoint: string;
  /** The account's concurrency limit. */
  readonly accountConcurrency: number;
  /** Serializes the changes of one function (keyed by function name). */
  readonly locks: KeyedMutex;
  readonly lifecycle: LifecycleTransitions;
  /**
   * A function's code, configuration, versions or aliases changed (or it is gone): forget what
   * the resolver cached and tell the onChange listeners.
   */
  changed(functionName: string): void;
  /** Only facts the resolver caches changed (reserved concurrency): environments stay valid. */
  invalidate(functionName: string): void;
}

export const PRECONDITION_FAILED =
  'The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id';

const PUBLISHED_VERSION = /^[0-9]+$/;

/** `$LATEST` or a published version number, as opposed to an alias name. */
export function isVersionQualifier(qualifier: string): boolean {
  return qualifier === LATEST || PUBLISHED_VERSION.test(qualifier);
}

export function functionNotFound(ctx: AccountContext, name: string, qualifier?: string): Error {
  return resourceNotFound(`Function not found: ${functionArn(ctx, name, qualifier)}`);
}

export function updateInProgress(arn: string): Error {
  return resourceConflict(
    `The operation cannot be performed at this time. An update is in progress for resource: ${arn}`,
  );
}

/** One version by number (or `$LATEST`); 404 `Function not found: <arn>` when missing. */
export async function loadVersion(
  rc: RegistryContext,
  name: string,
  version: string,
  qualifierInError: string | undefined = version === LATEST ? undefined : version,
): Promise<FunctionVersion> {
  const record = await rc.store.getFunctionVersion(name, version);
  if (!record) {
    throw functionNotFound(rc.ctx, name, qualifierInError);
  }
  return decodeVersion(record);
}

/**
 * The version a qualifier names: `$LATEST`, a number, or an alias (its primary version).
 * 404 `Function not found: <qualified arn>` when the function, version or alias is missing.
 */
export async function loadQualified(
  rc: RegistryContext,
  name: string,
  qualifier: string | undefined,
): Promise<{ version: FunctionVersion; alias?: AliasRecord }> {
  if (qualifier === undefined || isVersionQualifier(qualifier)) {
    return { version: await loadVersion(rc, name, qualifier ?? LATEST, qualifier) };
  }
  const alias = await rc.store.getAlias(name, qualifier);
  if (!alias) {
    throw functionNotFound(rc.ctx, name, qualifier);
  }
  return { version: await loadVersion(rc, name, alias.functionVersion, qualifier), alias };
}

/** Throws 404 `Function not found: <unqualified arn>` unless the function exists. */
export async function requireFunction(rc: RegistryContext, name: string): Promise<void> {
  if ((await rc.store.lastPublishedVersion(name)) === undefined) {
    throw functionNotFound(rc.ctx, name);
  }
}
