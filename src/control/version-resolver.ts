/**
 * The invoke path's view of the registry: a qualifier resolved to everything an environment
 * needs, served from memory while nothing changes (no store read per invocation).
 */
import { functionArn, type AccountContext } from '../core/arn.js';
import { resourceNotFound, serviceException, validationError } from '../core/errors.js';
import type { ResolvedVersion } from '../invoke/types.js';
import { LATEST, type Store } from '../store/index.js';
import type { CodeStore } from './code-store.js';
import { decodeVersion, type FunctionVersion } from './function-version.js';
import { MATCHERS, PATTERNS } from './limits.js';

const PUBLISHED_VERSION = /^[0-9]+$/;

export class VersionResolver {
  readonly #store: Store;
  readonly #code: CodeStore;
  readonly #ctx: AccountContext;
  readonly #entries = new Map<string, Map<string, ResolvedVersion>>();
  /**
   * Bumped by every invalidation. A lookup that read the store while a change happened does
   * not cache what it read, since that may already be stale.
   */
  #epoch = 0;

  constructor(store: Store, code: CodeStore, ctx: AccountContext) {
    this.#store = store;
    this.#code = code;
    this.#ctx = ctx;
  }

  async resolve(functionName: string, qualifier: string | undefined): Promise<ResolvedVersion> {
    const version = qualifier === undefined || qualifier === '' ? LATEST : qualifier;
    const cached = this.#entries.get(functionName)?.get(version);
    if (cached) {
      return cached;
    }
    checkQualifier(version);
    const notFound = (): Error =>
      resourceNotFound(
        `Function not found: ${functionArn(this.#ctx, functionName, qualifier === '' ? undefined : qualifier)}`,
      );
    // Aliases arrive with published versions; until then a non-numeric qualifier names nothing.
    if (version !== LATEST && !PUBLISHED_VERSION.test(version)) {
      throw notFound();
    }
    const epoch = this.#epoch;
    const record = await this.#store.getFunctionVersion(functionName, version);
    if (!record) {
      throw notFound();
    }
    const resolved = await this.#toResolved(decodeVersion(record));
    if (epoch === this.#epoch) {
      let versions = this.#entries.get(functionName);
      if (!versions) {
        versions = new Map();
        this.#entries.set(functionName, versions);
      }
      versions.set(version, resolved);
    }
    return resolved;
  }

  /** Forgets everything resolved for a function (it changed or is gone). */
  invalidate(functionName: string): void {
    this.#epoch++;
    this.#entries.delete(functionName);
  }

  async #toResolved(v: FunctionVersion): Promise<ResolvedVersion> {
    const s = v.settings;
    let codeDir: string;
    if (v.code.kind === 'hot-reload') {
      codeDir = v.code.directory;
    } else {
      const dir = await this.#code.ensureUnpacked(v.codeSha256Hex);
      if (dir === undefined) {
        throw serviceException(
          `The deployment package of ${v.functionName} (${v.codeSha256Hex}) is missing from the code store.`,
        );
      }
      codeDir = dir;
    }
    return {
      functionName: v.functionName,
      functionArn: functionArn(this.#ctx, v.functionName),
      version: v.version,
      state: v.status.state,
      revisionId: v.contentRevisionId,
      runtime: s.runtime,
      handler: s.handler,
      role: s.role,
      memorySizeMb: s.memorySize,
      timeoutSeconds: s.timeout,
      ephemeralStorageMb: s.ephemeralStorageSize,
      codeDir,
      hotReload: v.code.kind === 'hot-reload',
      layerDirs: [],
      variables: { ...s.environment },
      logGroupName: s.logging.logGroup,
      logFormat: s.logging.logFormat,
      ...(s.logging.logFormat === 'JSON' &&
        s.logging.applicationLogLevel !== undefined && {
          applicationLogLevel: s.logging.applicationLogLevel,
        }),
    };
  }
}

/** The Qualifier shape's constraints (1–128 characters of `[a-zA-Z0-9$_-]`). */
export function checkQualifier(qualifier: string): void {
  if (qualifier.length > 128) {
    throw validationError([
      `Value '${qualifier}' at 'qualifier' failed to satisfy constraint: Member must have length less than or equal to 128`,
    ]);
  }
  if (!MATCHERS.qualifier.test(qualifier)) {
    throw validationError([
      `Value '${qualifier}' at 'qualifier' failed to satisfy constraint: Member must satisfy regular expression pattern: ${PATTERNS.qualifier}`,
    ]);
  }
}
