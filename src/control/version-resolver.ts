/**
 * The invoke path's view of the registry: a qualifier resolved to everything an environment
 * needs, served from memory while nothing changes (no store read per invocation). An alias is
 * cached with its versions and weight, and the version it routes to is drawn on every call.
 */
import { functionArn, type AccountContext } from '../core/arn.js';
import { resourceNotFound, serviceException, validationError } from '../core/errors.js';
import type { ResolvedVersion } from '../invoke/types.js';
import { LATEST, type Store } from '../store/index.js';
import type { CodeStore } from './code-store.js';
import { isVersionQualifier } from './context.js';
import { decodeVersion, type FunctionVersion } from './function-version.js';
import { MATCHERS, PATTERNS } from './limits.js';

/** What a qualifier resolves to: one version, or an alias's primary and weighted versions. */
interface Entry {
  readonly primary: ResolvedVersion;
  readonly additional?: ResolvedVersion;
  /** Probability of the additional version (AdditionalVersionWeights). */
  readonly weight: number;
}

export class VersionResolver {
  readonly #store: Store;
  readonly #code: CodeStore;
  readonly #ctx: AccountContext;
  readonly #entries = new Map<string, Map<string, Entry>>();
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
    const name = qualifier === undefined || qualifier === '' ? LATEST : qualifier;
    const entry =
      this.#entries.get(functionName)?.get(name) ?? (await this.#load(functionName, name));
    // Math.random per call, as Lambda routes each invocation independently.
    return entry.additional !== undefined && Math.random() < entry.weight
      ? entry.additional
      : entry.primary;
  }

  /** Forgets everything resolved for a function (it changed or is gone). */
  invalidate(functionName: string): void {
    this.#epoch++;
    this.#entries.delete(functionName);
  }

  async #load(functionName: string, qualifier: string): Promise<Entry> {
    checkQualifier(qualifier);
    const notFound = (): Error =>
      resourceNotFound(
        `Function not found: ${functionArn(this.#ctx, functionName, qualifier === LATEST ? undefined : qualifier)}`,
      );
    const epoch = this.#epoch;
    let primaryVersion = qualifier;
    let routing: [string, number] | undefined;
    if (!isVersionQualifier(qualifier)) {
      const alias = await this.#store.getAlias(functionName, qualifier);
      if (!alias) {
        throw notFound();
      }
      primaryVersion = alias.functionVersion;
      routing = Object.entries(alias.additionalVersionWeights)[0];
    }
    const reserved = (await this.#store.getReservedConcurrency(functionName)) ?? undefined;
    const load = async (version: string): Promise<ResolvedVersion> => {
      const record = await this.#store.getFunctionVersion(functionName, version);
      if (!record) {
        throw notFound();
      }
      return this.#toResolved(decodeVersion(record), reserved);
    };
    const entry: Entry = {
      primary: await load(primaryVersion),
      ...(routing && { additional: await load(routing[0]) }),
      weight: routing?.[1] ?? 0,
    };
    if (epoch === this.#epoch) {
      let entries = this.#entries.get(functionName);
      if (!entries) {
        entries = new Map();
        this.#entries.set(functionName, entries);
      }
      entries.set(qualifier, entry);
    }
    return entry;
  }

  async #toResolved(v: FunctionVersion, reserved: number | undefined): Promise<ResolvedVersion> {
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
      layerDirs: await this.#layerDirs(v),
      variables: { ...s.environment },
      logGroupName: s.logging.logGroup,
      logFormat: s.logging.logFormat,
      ...(s.logging.logFormat === 'JSON' &&
        s.logging.applicationLogLevel !== undefined && {
          applicationLogLevel: s.logging.applicationLogLevel,
        }),
      ...(reserved !== undefined && { reservedConcurrency: reserved }),
    };
  }

  /** The unpacked packages of the version's layers, in order. */
  async #layerDirs(v: FunctionVersion): Promise<string[]> {
    const dirs: string[] = [];
    for (const layer of v.settings.layers) {
      const dir = await this.#code.ensureUnpacked(layer.codeSha256Hex);
      if (dir === undefined) {
        throw serviceException(
          `The package of layer ${layer.arn} (${layer.codeSha256Hex}) is missing from the code store.`,
        );
      }
      dirs.push(dir);
    }
    return dirs;
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
