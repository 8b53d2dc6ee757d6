/**
 * Provisioned concurrency configs: environments initialized ahead of traffic for a published
 * version or an alias. The registry keeps the configs; the environment pool learns of them
 * through onProvisionedConcurrencyChange, warms them, and reports back through
 * setProvisionedConcurrencyStatus (IN_PROGRESS until it does).
 * https://docs.aws.amazon.com/lambda/latest/dg/provisioned-concurrency.html
 */
import type {
  GetProvisionedConcurrencyConfigResponse,
  ListProvisionedConcurrencyConfigsResponse,
} from '@aws-sdk/client-lambda';
import { functionArn, parseFunctionRef } from '../core/arn.js';
import {
  ServiceError,
  invalidParameter,
  resourceConflict,
  resourceNotFound,
  validationError,
} from '../core/errors.js';
import { LATEST, type ProvisionedConcurrencyRecord } from '../store/index.js';
import type { AliasObserver } from './aliases.js';
import {
  functionNotFound,
  isVersionQualifier,
  requireFunction,
  type RegistryContext,
} from './context.js';
import { lambdaTimestamp } from './function-version.js';
import { MAX_FUNCTION_NAME_INPUT_LENGTH, MIN_UNRESERVED_CONCURRENCY } from './limits.js';
import { decodeKeyMarker, encodeKeyMarker, pageSize } from './listing.js';
import { readInteger, requestBody } from './request.js';
import type { ProvisionedConcurrencyListener, ProvisionedConcurrencyReadiness } from './types.js';
import { checkQualifier } from './version-resolver.js';

const NOT_PUBLISHED = 'The function resource provided must be an alias or a published version.';
const ALL = 1_000_000;

interface Config {
  /** The version the environments belong to (an alias's primary version). */
  version: string;
  requested: number;
}

export class ProvisionedConcurrency implements AliasObserver {
  readonly #rc: RegistryContext;
  /** Function name → qualifier → config: what the pool must keep warm. */
  readonly #configs = new Map<string, Map<string, Config>>();
  readonly #listeners: ProvisionedConcurrencyListener[] = [];
  /** Σ reserved concurrency of all functions (for the unreserved-pool rule). */
  readonly #reservedTotal: () => number;

  constructor(rc: RegistryContext, reservedTotal: () => number) {
    this.#rc = rc;
    this.#reservedTotal = reservedTotal;
  }

  /**
   * Loads the configs. Environments do not survive a restart, so every config starts over at
   * IN_PROGRESS until the pool has warmed it again.
   */
  async start(): Promise<void> {
    const rc = this.#rc;
    for (const record of await rc.store.listProvisionedConcurrency({ limit: ALL })) {
      const version = isVersionQualifier(record.qualifier)
        ? record.qualifier
        : (await rc.store.getAlias(record.functionName, record.qualifier))?.functionVersion;
      if (version === undefined) {
        continue;
      }
      this.#remember(record.functionName, record.qualifier, {
        version,
        requested: record.requested,
      });
      if (record.status !== 'IN_PROGRESS') {
        await rc.store.putProvisionedConcurrency(inProgress(record));
      }
    }
  }

  /** Registers a listener and tells it every config that exists now. */
  onChange(listener: ProvisionedConcurrencyListener): void {
    this.#listeners.push(listener);
    for (const [name, configs] of this.#configs) {
      for (const config of configs.values()) {
        listener(name, config.version, config.requested);
      }
    }
  }

  /** Σ requested over a function's configs. */
  totalOf(functionName: string): number {
    let total = 0;
    for (const config of this.#configs.get(functionName)?.values() ?? []) {
      total += config.requested;
    }
    return total;
  }

  /** PutProvisionedConcurrencyConfig (202, IN_PROGRESS). */
  async put(
    functionName: string,
    qualifierParam: string | undefined,
    body: unknown,
  ): Promise<GetProvisionedConcurrencyConfigResponse> {
    const rc = this.#rc;
    const { name, qualifier } = this.#target(functionName, qualifierParam);
    const requested = readInteger(requestBody(body), 'ProvisionedConcurrentExecutions');
    if (requested === undefined || requested < 1) {
      throw validationError([
        requested === undefined
          ? "Value null at 'provisionedConcurrentExecutions' failed to satisfy constraint: Member must not be null"
          : `Value '${String(requested)}' at 'provisionedConcurrentExecutions' failed to satisfy constraint: Member must have value greater than or equal to 1`,
      ]);
    }
    if (qualifier === LATEST) {
      throw invalidParameter(
        'Provisioned Concurrency Configs cannot be applied to unpublished function versions.',
      );
    }
    return rc.locks.run(name, async () => {
      const version = await this.#versionOf(name, qualifier);
      const configs = this.#configs.get(name);
      let others = 0;
      for (const [q, config] of configs ?? []) {
        if (q === qualifier) {
          continue;
        }
        others += config.requested;
        if (config.version === version) {
          throw resourceConflict(
            isVersionQualifier(qualifier)
              ? 'Version is pointed by a Provisioned Concurrency alias'
              : "Alias can't be used for Provisioned Concurrency configuration on an already Provisioned version",
          );
        }
      }
      await this.#checkConcurrency(name, others + requested);
      const record: ProvisionedConcurrencyRecord = {
        functionName: name,
        qualifier,
        requested,
        allocated: 0,
        available: 0,
        status: 'IN_PROGRESS',
        lastModified: rc.clock.now(),
      };
      if (!(await rc.store.putProvisionedConcurrency(record))) {
        throw functionNotFound(rc.ctx, name, qualifier);
      }
      const previous = configs?.get(qualifier);
      this.#remember(name, qualifier, { version, requested });
      if (previous && previous.version !== version) {
        this.#emit(name, previous.version, 0);
      }
      this.#emit(name, version, requested);
      return render(record);
    });
  }

  /** GetProvisionedConcurrencyConfig. */
  async get(
    functionName: string,
    qualifierParam: string | undefined,
  ): Promise<GetProvisionedConcurrencyConfigResponse> {
    const { name, qualifier } = this.#target(functionName, qualifierParam);
    if (qualifier === LATEST) {
      throw invalidParameter(NOT_PUBLISHED);
    }
    await this.#versionOf(name, qualifier);
    const record = await this.#rc.store.getProvisionedConcurrency(name, qualifier);
    if (!record) {
      throw new ServiceError(
        'ProvisionedConcurrencyConfigNotFoundException',
        404,
        'No Provisioned Concurrency Config found for this function',
      );
    }
    return render(record);
  }

  /** DeleteProvisionedConcurrencyConfig (204; nothing to delete is fine, as on AWS). */
  async delete(functionName: string, qualifierParam: string | undefined): Promise<void> {
    const rc = this.#rc;
    const { name, qualifier } = this.#target(functionName, qualifierParam);
    if (qualifier === LATEST) {
      throw invalidParameter(NOT_PUBLISHED);
    }
    await rc.locks.run(name, async () => {
      await this.#versionOf(name, qualifier);
      if (await rc.store.deleteProvisionedConcurrency(name, qualifier)) {
        this.#forget(name, qualifier);
      }
    });
  }

  /** ListProvisionedConcurrencyConfigs (`?List=ALL`), by qualifier, ≤ 50 per page. */
  async list(
    functionName: string,
    params: { readonly marker?: string; readonly maxItems?: number },
  ): Promise<ListProvisionedConcurrencyConfigsResponse> {
    const rc = this.#rc;
    const { name } = this.#target(functionName, undefined, false);
    const limit = pageSize(params.maxItems);
    const after =
      params.marker === undefined
        ? undefined
        : decodeKeyMarker(params.marker, 'ListProvisionedConcurrencyConfigs');
    await requireFunction(rc, name);
    const rows = await rc.store.listProvisionedConcurrency({
      functionName: name,
      limit: limit + 1,
      ...(after !== undefined && { after }),
    });
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    return {
      ProvisionedConcurrencyConfigs: page.map((r) => ({
        FunctionArn: functionArn(rc.ctx, name, r.qualifier),
        ...render(r),
      })),
      ...(rows.length > limit && last && { NextMarker: encodeKeyMarker(last.qualifier) }),
    };
  }

  /**
   * The pool's report on a config, named by its qualifier or by the version it warms.
   * False when no config matches (it was deleted meanwhile).
   */
  async setStatus(
    functionName: string,
    qualifier: string,
    readiness: ProvisionedConcurrencyReadiness,
  ): Promise<boolean> {
    const rc = this.#rc;
    const configs = this.#configs.get(functionName) ?? new Map<string, Config>();
    const matching = [...configs].filter(([q, c]) => q === qualifier || c.version === qualifier);
    let updated = false;
    for (const [q] of matching) {
      const record = await rc.store.getProvisionedConcurrency(functionName, q);
      if (!record) {
        continue;
      }
      await rc.store.putProvisionedConcurrency({
        ...inProgress(record),
        allocated: readiness.allocated,
        available: readiness.available,
        status: readiness.status,
        ...(readiness.statusReason !== undefined && { statusReason: readiness.statusReason }),
      });
      updated = true;
    }
    return updated;
  }

  async aliasMoved(functionName: string, alias: string, from: string, to: string): Promise<void> {
    const config = this.#configs.get(functionName)?.get(alias);
    if (!config) {
      return;
    }
    // The environments move with the alias: the new version has to be warmed from scratch.
    const record = await this.#rc.store.getProvisionedConcurrency(functionName, alias);
    if (record) {
      await this.#rc.store.putProvisionedConcurrency(inProgress(record));
    }
    config.version = to;
    this.#emit(functionName, from, 0);
    this.#emit(functionName, to, config.requested);
  }

  aliasDeleted(functionName: string, alias: string): Promise<void> {
    this.#forget(functionName, alias);
    return Promise.resolve();
  }

  /** A version or a whole function is gone (the store dropped its configs with it). */
  forget(functionName: string, qualifier?: string): void {
    if (qualifier !== undefined) {
      this.#forget(functionName, qualifier);
      return;
    }
    for (const q of [...(this.#configs.get(functionName)?.keys() ?? [])]) {
      this.#forget(functionName, q);
    }
  }

  /** The function and qualifier named by a FunctionName (possibly qualified) and Qualifier. */
  #target(
    functionName: string,
    qualifierParam: string | undefined,
    required = true,
  ): { name: string; qualifier: string } {
    const ref = parseFunctionRef(
      functionName,
      this.#rc.ctx,
      'functionName',
      MAX_FUNCTION_NAME_INPUT_LENGTH,
    );
    if (qualifierParam !== undefined) {
      checkQualifier(qualifierParam);
    }
    if (
      ref.qualifier !== undefined &&
      qualifierParam !== undefined &&
      ref.qualifier !== qualifierParam
    ) {
      throw invalidParameter(
        'The derived qualifier from the function name does not match the specified qualifier.',
      );
    }
    const qualifier = qualifierParam ?? ref.qualifier;
    if (qualifier === undefined && required) {
      throw validationError([
        "Value null at 'qualifier' failed to satisfy constraint: Member must not be null",
      ]);
    }
    return { name: ref.name, qualifier: qualifier ?? '' };
  }

  /** The version a qualifier names, with AWS's 404 texts for this API [aws-rec]. */
  async #versionOf(name: string, qualifier: string): Promise<string> {
    const rc = this.#rc;
    const arn = functionArn(rc.ctx, name, qualifier);
    if (isVersionQualifier(qualifier)) {
      if (!(await rc.store.getFunctionVersion(name, qualifier))) {
        throw resourceNotFound(`Function not found: ${arn}`);
      }
      return qualifier;
    }
    const alias = await rc.store.getAlias(name, qualifier);
    if (!alias) {
      throw resourceNotFound(`Cannot find alias arn: ${arn}`);
    }
    return alias.functionVersion;
  }

  /** Provisioned environments count against the reservation, or else the unreserved pool. */
  async #checkConcurrency(name: string, total: number): Promise<void> {
    const rc = this.#rc;
    const reserved = await rc.store.getReservedConcurrency(name);
    if (reserved !== null && reserved !== undefined) {
      if (total > reserved) {
        throw invalidParameter(
          'Requested Provisioned Concurrency should not be greater than the reservedConcurrentExecution for function',
        );
      }
      return;
    }
    const unreserved = rc.accountConcurrency - this.#reservedTotal();
    if (total > unreserved - MIN_UNRESERVED_CONCURRENCY) {
      throw invalidParameter(
        `Specified ConcurrentExecutions for function decreases account's UnreservedConcurrentExecution below its minimum value of [${String(MIN_UNRESERVED_CONCURRENCY)}].`,
      );
    }
  }

  #remember(name: string, qualifier: string, config: Config): void {
    let configs = this.#configs.get(name);
    if (!configs) {
      configs = new Map();
      this.#configs.set(name, configs);
    }
    configs.set(qualifier, config);
  }

  #forget(name: string, qualifier: string): void {
    const configs = this.#configs.get(name);
    const config = configs?.get(qualifier);
    if (!configs || !config) {
      return;
    }
    configs.delete(qualifier);
    if (configs.size === 0) {
      this.#configs.delete(name);
    }
    this.#emit(name, config.version, 0);
  }

  #emit(name: string, version: string, count: number): void {
    for (const listener of this.#listeners) {
      listener(name, version, count);
    }
  }
}

/** The config as it stands before the pool reports on it (no StatusReason). */
function inProgress(record: ProvisionedConcurrencyRecord): ProvisionedConcurrencyRecord {
  return {
    functionName: record.functionName,
    qualifier: record.qualifier,
    requested: record.requested,
    allocated: 0,
    available: 0,
    status: 'IN_PROGRESS',
    lastModified: record.lastModified,
  };
}

function render(r: ProvisionedConcurrencyRecord): GetProvisionedConcurrencyConfigResponse {
  return {
    RequestedProvisionedConcurrentExecutions: r.requested,
    AvailableProvisionedConcurrentExecutions: r.available,
    AllocatedProvisionedConcurrentExecutions: r.allocated,
    Status: r.status,
    ...(r.statusReason !== undefined && { StatusReason: r.statusReason }),
    LastModified: lambdaTimestamp(r.lastModified),
  };
}
