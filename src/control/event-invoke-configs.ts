/**
 * Asynchronous invocation settings per qualifier: Put (replace), Update (merge), Get, Delete and
 * List, with AWS's validation and texts, and the async dispatcher's view of them
 * (eventInvokeConfig: the invoked qualifier's settings or AWS's defaults, served from memory).
 * https://docs.aws.amazon.com/lambda/latest/api/API_PutFunctionEventInvokeConfig.html
 * https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-configure.html
 */
import { functionArn } from '../core/arn.js';
import { invalidParameter, resourceNotFound, type ServiceError } from '../core/errors.js';
import type { EventInvokeConfig } from '../invoke/types.js';
import type {
  EventInvokeConfigRecord,
  StoredEventInvokeConfig,
} from '../store/sqlite/function-config-tables.js';
import {
  checkDestinations,
  readDestinationConfig,
  type RequestedDestinations,
} from './function-config/destinations.js';
import { configPageSize, decodeMarker, page } from './function-config/paging.js';
import {
  ANY_QUALIFIER,
  checkQualifier,
  configTarget,
  functionExists,
  type ConfigTarget,
} from './function-config/target.js';
import type {
  ConfigServiceDeps,
  DestinationValidator,
  EventInvokeConfigResponse,
  ListEventInvokeConfigsResponse,
  ListParams,
} from './function-config/types.js';
import { MAX_NAMESPACED_FUNCTION_NAME_LENGTH } from './limits.js';
import { Violations, checkRange, readInteger, readObject, requestBody } from './request.js';

const LATEST = '$LATEST';
const RETRY_ATTEMPTS = { min: 0, max: 2, default: 2 } as const;
const EVENT_AGE_SECONDS = { min: 60, max: 21_600, default: 21_600 } as const;

/** What Lambda applies to a qualifier without a config. */
const DEFAULTS: EventInvokeConfig = {
  maximumRetryAttempts: RETRY_ATTEMPTS.default,
  maximumEventAgeInSeconds: EVENT_AGE_SECONDS.default,
};

interface RequestedSettings {
  readonly maximumRetryAttempts?: number;
  readonly maximumEventAgeInSeconds?: number;
  readonly destinations?: RequestedDestinations;
}

function functionMissing(): ServiceError {
  return resourceNotFound("The function doesn't exist.");
}

function configMissing(arn: string): ServiceError {
  return resourceNotFound(`The function ${arn} doesn't have an EventInvokeConfig`);
}

export class EventInvokeConfigs {
  readonly #d: ConfigServiceDeps;
  readonly #destinations: DestinationValidator;
  /** Each function's configs by qualifier, read once and dropped on every change. */
  readonly #cache = new Map<string, ReadonlyMap<string, StoredEventInvokeConfig>>();
  /** Bumped by every change; a read that raced with one is not cached. */
  #epoch = 0;

  constructor(deps: ConfigServiceDeps, destinations: DestinationValidator) {
    this.#d = deps;
    this.#destinations = destinations;
  }

  /** PutFunctionEventInvokeConfig: replaces the qualifier's whole config. */
  put(
    functionName: string,
    qualifier: string | undefined,
    body: unknown,
  ): Promise<EventInvokeConfigResponse> {
    return this.#write(functionName, qualifier, body, 'replace');
  }

  /** UpdateFunctionEventInvokeConfig: changes only the settings the request carries. */
  update(
    functionName: string,
    qualifier: string | undefined,
    body: unknown,
  ): Promise<EventInvokeConfigResponse> {
    return this.#write(functionName, qualifier, body, 'merge');
  }

  async get(
    functionName: string,
    qualifier: string | undefined,
  ): Promise<EventInvokeConfigResponse> {
    const target = this.#target(functionName, qualifier);
    const name = target.name;
    const stored = await this.#d.store.getEventInvokeConfig(name, target.qualifier ?? LATEST);
    if (!stored) {
      throw configMissing(functionArn(this.#d.ctx, name, target.qualifier ?? LATEST));
    }
    return this.#render(stored);
  }

  async delete(functionName: string, qualifier: string | undefined): Promise<void> {
    const target = this.#target(functionName, qualifier);
    const q = target.qualifier ?? LATEST;
    await this.#d.locks.run(target.name, async () => {
      if (!(await this.#d.store.deleteEventInvokeConfig(target.name, q))) {
        throw configMissing(functionArn(this.#d.ctx, target.name, q));
      }
      this.forget(target.name);
    });
  }

  /** ListFunctionEventInvokeConfigs: one entry per qualifier, in creation order, ≤ 50 a page. */
  async list(functionName: string, params: ListParams): Promise<ListEventInvokeConfigsResponse> {
    const { name } = this.#target(functionName, undefined);
    const limit = configPageSize(params.maxItems);
    const after = decodeMarker(params.marker);
    if (!(await functionExists(this.#d.resolver, name, undefined))) {
      throw functionMissing();
    }
    const rows = await this.#d.store.listEventInvokeConfigs(name, after, limit + 1);
    const { items, nextMarker } = page(rows, limit);
    return {
      FunctionEventInvokeConfigs: items.map((r) => this.#render(r)),
      ...(nextMarker !== undefined && { NextMarker: nextMarker }),
    };
  }

  /**
   * The settings of exactly this qualifier (`$LATEST` when none is given), or AWS's defaults
   * (2 retries, 6 hours). No store read once a function's configs are in memory.
   */
  async eventInvokeConfig(
    functionName: string,
    qualifier: string | undefined,
  ): Promise<EventInvokeConfig> {
    const configs = this.#cache.get(functionName) ?? (await this.#load(functionName));
    const c = configs.get(qualifier === undefined || qualifier === '' ? LATEST : qualifier);
    if (!c) {
      return DEFAULTS;
    }
    return {
      maximumRetryAttempts: c.maximumRetryAttempts ?? RETRY_ATTEMPTS.default,
      maximumEventAgeInSeconds: c.maximumEventAgeInSeconds ?? EVENT_AGE_SECONDS.default,
      ...(c.onSuccess !== undefined && { onSuccess: c.onSuccess }),
      ...(c.onFailure !== undefined && { onFailure: c.onFailure }),
    };
  }

  /** Drops what is cached about a function (its configs changed, or it did). */
  forget(functionName: string): void {
    this.#epoch++;
    this.#cache.delete(functionName);
  }

  async #load(functionName: string): Promise<ReadonlyMap<string, StoredEventInvokeConfig>> {
    const epoch = this.#epoch;
    const rows = await this.#d.store.listEventInvokeConfigs(
      functionName,
      undefined,
      Number.MAX_SAFE_INTEGER,
    );
    const configs = new Map(rows.map((r) => [r.qualifier, r]));
    if (epoch === this.#epoch) {
      this.#cache.set(functionName, configs);
    }
    return configs;
  }

  #target(functionName: string, qualifier: string | undefined): ConfigTarget {
    const target = configTarget(
      functionName,
      qualifier,
      this.#d.ctx,
      MAX_NAMESPACED_FUNCTION_NAME_LENGTH,
    );
    checkQualifier(target.qualifier, ANY_QUALIFIER);
    return target;
  }

  async #write(
    functionName: string,
    qualifierParam: string | undefined,
    body: unknown,
    mode: 'replace' | 'merge',
  ): Promise<EventInvokeConfigResponse> {
    const target = this.#target(functionName, qualifierParam);
    const requested = readSettings(body);
    const { name } = target;
    const qualifier = target.qualifier ?? LATEST;
    return this.#d.locks.run(name, async () => {
      if (!(await functionExists(this.#d.resolver, name, target.qualifier))) {
        throw functionMissing();
      }
      const current =
        mode === 'merge' ? await this.#d.store.getEventInvokeConfig(name, qualifier) : undefined;
      if (mode === 'merge' && !current) {
        throw configMissing(functionArn(this.#d.ctx, name, qualifier));
      }
      if (requested.destinations) {
        await checkDestinations(requested.destinations, {
          ctx: this.#d.ctx,
          resolver: this.#d.resolver,
          validator: this.#destinations,
          functionName: name,
        });
      }
      const record = applySettings(
        { functionName: name, qualifier, lastModified: this.#d.clock.now() },
        current,
        requested,
      );
      await this.#d.store.putEventInvokeConfig(record);
      this.forget(name);
      return this.#render(record);
    });
  }

  /** FunctionEventInvokeConfig: unset settings are omitted, both destinations always shown. */
  #render(r: EventInvokeConfigRecord): EventInvokeConfigResponse {
    return {
      FunctionArn: functionArn(this.#d.ctx, r.functionName, r.qualifier),
      LastModified: r.lastModified / 1000,
      ...(r.maximumRetryAttempts !== undefined && { MaximumRetryAttempts: r.maximumRetryAttempts }),
      ...(r.maximumEventAgeInSeconds !== undefined && {
        MaximumEventAgeInSeconds: r.maximumEventAgeInSeconds,
      }),
      DestinationConfig: {
        OnSuccess: r.onSuccess === undefined ? {} : { Destination: r.onSuccess },
        OnFailure: r.onFailure === undefined ? {} : { Destination: r.onFailure },
      },
    };
  }
}

/** The body's settings, model constraints checked; at least one must be present. */
function readSettings(body: unknown): RequestedSettings {
  const b = requestBody(body);
  const violations = new Violations();
  const retries = readInteger(b, 'MaximumRetryAttempts');
  checkRange(retries, 'maximumRetryAttempts', RETRY_ATTEMPTS, violations);
  const age = readInteger(b, 'MaximumEventAgeInSeconds');
  checkRange(age, 'maximumEventAgeInSeconds', EVENT_AGE_SECONDS, violations);
  const config = readObject(b, 'DestinationConfig');
  const destinations = config === undefined ? undefined : readDestinationConfig(config, violations);
  violations.throwIfAny();
  if (retries === undefined && age === undefined && destinations === undefined) {
    throw invalidParameter(
      'You must specify at least one of error handling or destination setting.',
    );
  }
  return {
    ...(retries !== undefined && { maximumRetryAttempts: retries }),
    ...(age !== undefined && { maximumEventAgeInSeconds: age }),
    ...(destinations !== undefined && { destinations }),
  };
}

/**
 * The new config: the request's settings over the current ones (Update) or over nothing (Put).
 * A DestinationConfig in the request replaces both destinations.
 */
function applySettings(
  base: Pick<EventInvokeConfigRecord, 'functionName' | 'qualifier' | 'lastModified'>,
  current: EventInvokeConfigRecord | undefined,
  requested: RequestedSettings,
): EventInvokeConfigRecord {
  const retries = requested.maximumRetryAttempts ?? current?.maximumRetryAttempts;
  const age = requested.maximumEventAgeInSeconds ?? current?.maximumEventAgeInSeconds;
  const onSuccess = requested.destinations
    ? requested.destinations.onSuccess?.destination
    : current?.onSuccess;
  const onFailure = requested.destinations
    ? requested.destinations.onFailure?.destination
    : current?.onFailure;
  return {
    ...base,
    ...(retries !== undefined && { maximumRetryAttempts: retries }),
    ...(age !== undefined && { maximumEventAgeInSeconds: age }),
    ...(onSuccess !== undefined && { onSuccess }),
    ...(onFailure !== undefined && { onFailure }),
  };
}
