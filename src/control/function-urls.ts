/**
 * Function URL configs: Create/Get/Update/Delete/List on a function or one of its aliases, one
 * URL per qualifier, with AWS's validation and texts; and the lookup the HTTP front uses to
 * serve a URL by its id. The URL's form is documented in function-config/url-address.ts.
 * https://docs.aws.amazon.com/lambda/latest/api/API_CreateFunctionUrlConfig.html
 * https://docs.aws.amazon.com/lambda/latest/dg/urls-configuration.html
 */
import { functionArn } from '../core/arn.js';
import { resourceConflict, resourceNotFound, type ServiceError } from '../core/errors.js';
import type {
  FunctionUrlRecord,
  StoredFunctionUrl,
} from '../store/sqlite/function-config-tables.js';
import { configPageSize, decodeMarker, page } from './function-config/paging.js';
import {
  ALIAS_QUALIFIER,
  checkQualifier,
  configTarget,
  functionExists,
  type ConfigTarget,
} from './function-config/target.js';
import type {
  ConfigServiceDeps,
  FunctionUrlConfigResponse,
  FunctionUrlTarget,
  ListFunctionUrlConfigsResponse,
  ListParams,
} from './function-config/types.js';
import { functionUrl, functionUrlId } from './function-config/url-address.js';
import { readUrlSettings } from './function-config/url-settings.js';
import { MAX_FUNCTION_NAME_INPUT_LENGTH } from './limits.js';

function functionMissing(): ServiceError {
  return resourceNotFound('Function does not exist');
}

function configMissing(): ServiceError {
  return resourceNotFound('The resource you requested does not exist.');
}

/** URL config times are ISO-8601 with microseconds, as Lambda prints them. */
function isoTime(ms: number): string {
  return new Date(ms).toISOString().replace(/Z$/, '000Z');
}

/** Which members a response shows: Create omits LastModifiedTime; Create/Update echo InvokeMode only when sent. */
interface View {
  readonly lastModified: boolean;
  readonly invokeMode: boolean;
}

export class FunctionUrls {
  readonly #d: ConfigServiceDeps;
  readonly #endpoint: string;
  /** lookupUrl's answers (undefined: no such URL), dropped whenever any URL config changes. */
  readonly #lookups = new Map<string, FunctionUrlTarget | undefined>();
  #epoch = 0;

  /** `publicEndpoint`: this server's base URL as clients reach it (`http://127.0.0.1:4566`). */
  constructor(deps: ConfigServiceDeps, publicEndpoint: string) {
    this.#d = deps;
    this.#endpoint = publicEndpoint;
  }

  /** CreateFunctionUrlConfig (201). */
  async create(
    functionName: string,
    qualifier: string | undefined,
    body: unknown,
  ): Promise<FunctionUrlConfigResponse> {
    const target = this.#target(functionName, qualifier);
    const settings = readUrlSettings(body, true);
    const { name } = target;
    return this.#d.locks.run(name, async () => {
      if (!(await functionExists(this.#d.resolver, name, target.qualifier))) {
        throw functionMissing();
      }
      const now = this.#d.clock.now();
      const record: FunctionUrlRecord = {
        functionName: name,
        qualifier: target.qualifier ?? '',
        urlId: functionUrlId(this.#d.ctx, name, target.qualifier),
        authType: settings.authType ?? 'NONE',
        invokeMode: settings.invokeMode ?? 'BUFFERED',
        ...(settings.cors !== undefined && { cors: settings.cors }),
        createdAt: now,
        lastModified: now,
      };
      if (!(await this.#d.store.createFunctionUrl(record))) {
        throw resourceConflict(
          `Failed to create function url config for [functionArn = ${functionArn(this.#d.ctx, name, target.qualifier)}]. Error message:  FunctionUrlConfig exists for this Lambda function`,
        );
      }
      this.forget();
      return this.#render(record, {
        lastModified: false,
        invokeMode: settings.invokeMode !== undefined,
      });
    });
  }

  /** GetFunctionUrlConfig. */
  async get(
    functionName: string,
    qualifier: string | undefined,
  ): Promise<FunctionUrlConfigResponse> {
    const target = this.#target(functionName, qualifier);
    const stored = await this.#d.store.getFunctionUrl(target.name, target.qualifier ?? '');
    if (!stored) {
      throw configMissing();
    }
    return this.#render(stored, { lastModified: true, invokeMode: true });
  }

  /** UpdateFunctionUrlConfig: the members sent replace the stored ones (Cors as a whole). */
  async update(
    functionName: string,
    qualifier: string | undefined,
    body: unknown,
  ): Promise<FunctionUrlConfigResponse> {
    const target = this.#target(functionName, qualifier);
    const settings = readUrlSettings(body, false);
    const { name } = target;
    return this.#d.locks.run(name, async () => {
      if (!(await functionExists(this.#d.resolver, name, target.qualifier))) {
        throw functionMissing();
      }
      const current = await this.#d.store.getFunctionUrl(name, target.qualifier ?? '');
      if (!current) {
        throw configMissing();
      }
      const cors = settings.cors ?? current.cors;
      const next: FunctionUrlRecord = {
        functionName: current.functionName,
        qualifier: current.qualifier,
        urlId: current.urlId,
        authType: settings.authType ?? current.authType,
        invokeMode: settings.invokeMode ?? current.invokeMode,
        ...(cors !== undefined && { cors }),
        createdAt: current.createdAt,
        lastModified: this.#d.clock.now(),
      };
      if (!(await this.#d.store.updateFunctionUrl(next))) {
        throw configMissing();
      }
      this.forget();
      return this.#render(next, {
        lastModified: true,
        invokeMode: settings.invokeMode !== undefined,
      });
    });
  }

  /** DeleteFunctionUrlConfig (204). */
  async delete(functionName: string, qualifier: string | undefined): Promise<void> {
    const target = this.#target(functionName, qualifier);
    await this.#d.locks.run(target.name, async () => {
      if (!(await this.#d.store.deleteFunctionUrl(target.name, target.qualifier ?? ''))) {
        throw configMissing();
      }
      this.forget();
    });
  }

  /** ListFunctionUrlConfigs: the function's and its aliases' URLs, ≤ 50 a page. */
  async list(functionName: string, params: ListParams): Promise<ListFunctionUrlConfigsResponse> {
    const { name } = configTarget(
      functionName,
      undefined,
      this.#d.ctx,
      MAX_FUNCTION_NAME_INPUT_LENGTH,
    );
    const limit = configPageSize(params.maxItems);
    const after = decodeMarker(params.marker);
    if (!(await functionExists(this.#d.resolver, name, undefined))) {
      throw functionMissing();
    }
    const rows = await this.#d.store.listFunctionUrls(name, after, limit + 1);
    const { items, nextMarker } = page(rows, limit);
    return {
      FunctionUrlConfigs: items.map((r) =>
        this.#render(r, { lastModified: true, invokeMode: true }),
      ),
      ...(nextMarker !== undefined && { NextMarker: nextMarker }),
    };
  }

  /**
   * The URL with this id (the first label of its host name), or undefined. Answers from memory
   * after the first lookup, until a URL config or its function changes.
   */
  async lookupUrl(urlId: string): Promise<FunctionUrlTarget | undefined> {
    if (this.#lookups.has(urlId)) {
      return this.#lookups.get(urlId);
    }
    const epoch = this.#epoch;
    const stored = await this.#d.store.getFunctionUrlById(urlId);
    const found = stored === undefined ? undefined : toTarget(stored);
    if (epoch === this.#epoch) {
      this.#lookups.set(urlId, found);
    }
    return found;
  }

  /** Drops cached lookups (a URL config changed, or a function did): such changes are rare. */
  forget(): void {
    this.#epoch++;
    this.#lookups.clear();
  }

  #target(functionName: string, qualifier: string | undefined): ConfigTarget {
    const target = configTarget(
      functionName,
      qualifier,
      this.#d.ctx,
      MAX_FUNCTION_NAME_INPUT_LENGTH,
    );
    checkQualifier(target.qualifier, ALIAS_QUALIFIER);
    return target;
  }

  #render(r: FunctionUrlRecord, view: View): FunctionUrlConfigResponse {
    const qualifier = r.qualifier === '' ? undefined : r.qualifier;
    return {
      FunctionUrl: functionUrl(r.urlId, this.#d.ctx.region, this.#endpoint),
      FunctionArn: functionArn(this.#d.ctx, r.functionName, qualifier),
      AuthType: r.authType,
      ...(r.cors !== undefined && { Cors: r.cors }),
      CreationTime: isoTime(r.createdAt),
      ...(view.lastModified && { LastModifiedTime: isoTime(r.lastModified) }),
      ...(view.invokeMode && { InvokeMode: r.invokeMode }),
    };
  }
}

function toTarget(r: StoredFunctionUrl): FunctionUrlTarget {
  return {
    functionName: r.functionName,
    ...(r.qualifier !== '' && { qualifier: r.qualifier }),
    authType: r.authType,
    ...(r.cors !== undefined && { cors: r.cors }),
    invokeMode: r.invokeMode,
  };
}
