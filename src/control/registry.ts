/**
 * The function registry: Lambda's function operations over the store and the code store,
 * with AWS's validation, error texts and lifecycle (Pending → Active, InProgress → Successful).
 * https://docs.aws.amazon.com/lambda/latest/api/API_Operations.html
 */
import { randomUUID } from 'node:crypto';
import type { FunctionConfiguration } from '@aws-sdk/client-lambda';
import { functionArn, type AccountContext } from '../core/arn.js';
import type { Clock } from '../core/clock.js';
import {
  invalidParameter,
  preconditionFailed,
  resourceConflict,
  resourceNotFound,
  validationError,
} from '../core/errors.js';
import type { FunctionResolver, ResolvedVersion } from '../invoke/types.js';
import { LATEST, type Store } from '../store/index.js';
import { imageNotSupported, readCodeSource } from './code-source.js';
import type { CodeStore } from './code-store.js';
import { checkCode, codeLocation, storeCode } from './function-code.js';
import {
  applySettingsPatch,
  checkSettingsPatch,
  defaultSettings,
  type SettingsPatch,
} from './function-settings.js';
import { newFunctionName, unqualifiedFunctionName, versionTarget } from './function-target.js';
import {
  CREATING,
  UPDATING,
  decodeVersion,
  encodeVersion,
  renderConfiguration,
  type FunctionVersion,
} from './function-version.js';
import { KeyedMutex } from './keyed-mutex.js';
import { LifecycleTransitions } from './lifecycle.js';
import { MAX_TAGS, MAX_TOTAL_CODE_BYTES, MAX_UNZIPPED_BYTES, MAX_ZIPPED_BYTES } from './limits.js';
import { decodeMarker, encodeMarker, pageSize, versionFilter } from './listing.js';
import {
  Violations,
  readBoolean,
  readObject,
  readString,
  readStringMap,
  requestBody,
  type Body,
} from './request.js';
import { readArchitecture, readSettingsPatch } from './settings-request.js';
import { TOO_MANY_TAGS, checkTagKeys, checkTags, taggedResource } from './tags.js';
import type {
  AccountSettings,
  ControlPlane,
  GetFunctionResult,
  ListFunctionsParams,
  ListFunctionsResult,
} from './types.js';
import { VersionResolver } from './version-resolver.js';

export interface ControlPlaneOptions {
  readonly store: Store;
  readonly dataDir: string;
  readonly ctx: AccountContext;
  /** Base URL of this server as clients reach it (GetFunction's Code.Location points here). */
  readonly publicEndpoint: string;
  /** The account's concurrency limit (GetAccountSettings). */
  readonly accountConcurrency: number;
  readonly clock: Clock;
  /** Told about background failures (a lifecycle transition that could not be stored). */
  readonly onWarning?: (message: string) => void;
}

const PRECONDITION_FAILED =
  'The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id';

/** Members of features Fogbank does not have; refused rather than silently ignored. */
const UNSUPPORTED_ON_CREATE = [
  'FileSystemConfigs',
  'ImageConfig',
  'CodeSigningConfigArn',
  'TenancyConfig',
  'CapacityProviderConfig',
  'DurableConfig',
  'PublishTo',
] as const;
const UNSUPPORTED_ON_UPDATE = [
  'FileSystemConfigs',
  'ImageConfig',
  'CapacityProviderConfig',
  'DurableConfig',
] as const;

export class FunctionRegistry implements ControlPlane, FunctionResolver {
  readonly #store: Store;
  readonly #code: CodeStore;
  readonly #ctx: AccountContext;
  readonly #endpoint: string;
  readonly #accountConcurrency: number;
  readonly #clock: Clock;
  readonly #resolver: VersionResolver;
  readonly #locks = new KeyedMutex();
  readonly #lifecycle: LifecycleTransitions;
  readonly #listeners: ((functionName: string) => void)[] = [];

  constructor(options: ControlPlaneOptions, code: CodeStore) {
    this.#store = options.store;
    this.#code = code;
    this.#ctx = options.ctx;
    this.#endpoint = options.publicEndpoint.replace(/\/+$/, '');
    this.#accountConcurrency = options.accountConcurrency;
    this.#clock = options.clock;
    this.#resolver = new VersionResolver(options.store, code, options.ctx);
    this.#lifecycle = new LifecycleTransitions({
      store: options.store,
      locks: this.#locks,
      clock: options.clock,
      onSettled: (name) => {
        this.#changed(name);
      },
      warn: options.onWarning ?? (() => undefined),
    });
  }

  /**
   * Finishes transitions a previous run left half done (it stopped between an answer and the
   * state change that follows it) and drops packages no version uses any more.
   */
  async start(): Promise<void> {
    await this.#lifecycle.finishPending();
    await this.#code.prune(await this.#store.listReferencedCode());
  }

  /** Cancels scheduled lifecycle transitions (the next start finishes them); waits for running ones. */
  stop(): Promise<void> {
    return this.#lifecycle.stop();
  }

  async createFunction(body: unknown): Promise<FunctionConfiguration> {
    const b = requestBody(body);
    const violations = new Violations();
    const nameInput = readString(b, 'FunctionName');
    if (nameInput === undefined) {
      violations.missing('functionName');
    }
    const packageType = readString(b, 'PackageType');
    if (packageType !== undefined && packageType !== 'Zip' && packageType !== 'Image') {
      violations.add(
        packageType,
        'packageType',
        'Member must satisfy enum value set: [Zip, Image]',
      );
    }
    const patch = readSettingsPatch(b, violations);
    readArchitecture(b, patch, violations);
    if (patch.role === undefined) {
      violations.missing('role');
    }
    const code = readObject(b, 'Code');
    if (code === undefined) {
      violations.missing('code');
    }
    const tags = readStringMap(b, 'Tags') ?? {};
    readBoolean(b, 'Publish');
    // An absent required member is one of the violations.
    if (violations.found || nameInput === undefined || code === undefined) {
      throw violations.error();
    }
    const name = newFunctionName(nameInput, this.#ctx);
    if (packageType === 'Image') {
      throw imageNotSupported();
    }
    refuseUnsupported(b, UNSUPPORTED_ON_CREATE);
    if (patch.runtime === undefined || patch.handler === undefined) {
      throw invalidParameter(
        'Runtime and Handler are mandatory parameters for functions created with deployment packages.',
      );
    }
    checkSettingsPatch(patch);
    const settings = applySettingsPatch(defaultSettings(name), patch);
    checkTags(tags);
    const source = await readCodeSource(code, 'Code.');
    if (await this.#store.getFunctionVersion(name, LATEST)) {
      throw alreadyExists(name);
    }
    const stored = await storeCode(source, 0, this.#store, this.#code);
    const now = this.#clock.now();
    const revisionId = randomUUID();
    const version: FunctionVersion = {
      functionName: name,
      version: LATEST,
      revisionId,
      ...stored,
      settings,
      status: CREATING,
      lastModified: now,
      contentRevisionId: revisionId,
    };
    // Publish is accepted, but published versions arrive later: the answer is $LATEST's.
    const created = await this.#store.createFunction({
      latest: encodeVersion(version),
      createdAt: now,
      tags,
    });
    if (!created) {
      throw alreadyExists(name);
    }
    this.#changed(name);
    this.#lifecycle.later(version);
    return renderConfiguration(version, this.#ctx, { view: 'created' });
  }

  async getFunction(functionName: string, qualifier?: string): Promise<GetFunctionResult> {
    const target = versionTarget(functionName, qualifier, this.#ctx);
    const v = await this.#load(target.name, target.version, target.qualifier);
    const tags = await this.#store.getTags({ kind: 'function', id: target.name });
    return {
      Configuration: this.#render(v, target.qualifier),
      Code: codeLocation(v, this.#endpoint),
      ...(tags && Object.keys(tags).length > 0 && { Tags: tags }),
    };
  }

  async getFunctionConfiguration(
    functionName: string,
    qualifier?: string,
  ): Promise<FunctionConfiguration> {
    const target = versionTarget(functionName, qualifier, this.#ctx);
    return this.#render(
      await this.#load(target.name, target.version, target.qualifier),
      target.qualifier,
    );
  }

  async listFunctions(params: ListFunctionsParams): Promise<ListFunctionsResult> {
    const limit = pageSize(params.maxItems);
    const versions = versionFilter(params.functionVersion);
    const after = params.marker === undefined ? undefined : decodeMarker(params.marker);
    const rows = await this.#store.listFunctionVersions({
      versions,
      limit: limit + 1,
      ...(after && { after }),
    });
    const page = rows.slice(0, limit).map(decodeVersion);
    const last = page.at(-1);
    return {
      Functions: page.map((v) =>
        renderConfiguration(v, this.#ctx, {
          view: 'listed',
          ...(v.version !== LATEST && { qualifier: v.version }),
        }),
      ),
      ...(rows.length > limit && last && { NextMarker: encodeMarker(last) }),
    };
  }

  async updateFunctionCode(functionName: string, body: unknown): Promise<FunctionConfiguration> {
    const name = unqualifiedFunctionName(functionName, this.#ctx);
    const b = requestBody(body);
    const violations = new Violations();
    const patch: SettingsPatch = {};
    readArchitecture(b, patch, violations);
    const revisionId = readString(b, 'RevisionId');
    const dryRun = readBoolean(b, 'DryRun') ?? false;
    readBoolean(b, 'Publish');
    violations.throwIfAny();
    return this.#locks.run(name, async () => {
      const current = await this.#load(name, LATEST);
      this.#checkUpdatable(current, revisionId);
      const source = await readCodeSource(b, '');
      if (dryRun) {
        const checked = await checkCode(source, this.#code);
        return this.#render({
          ...current,
          ...checked,
          settings: applySettingsPatch(current.settings, patch),
        });
      }
      const stored = await storeCode(source, current.codeSize, this.#store, this.#code);
      // Publish is accepted, but published versions arrive later: the answer is $LATEST's.
      return this.#update(current, {
        ...stored,
        settings: applySettingsPatch(current.settings, patch),
      });
    });
  }

  async updateFunctionConfiguration(
    functionName: string,
    body: unknown,
  ): Promise<FunctionConfiguration> {
    const name = unqualifiedFunctionName(functionName, this.#ctx);
    const b = requestBody(body);
    const violations = new Violations();
    const patch = readSettingsPatch(b, violations);
    const revisionId = readString(b, 'RevisionId');
    violations.throwIfAny();
    refuseUnsupported(b, UNSUPPORTED_ON_UPDATE);
    checkSettingsPatch(patch);
    return this.#locks.run(name, async () => {
      const current = await this.#load(name, LATEST);
      this.#checkUpdatable(current, revisionId);
      return this.#update(current, { settings: applySettingsPatch(current.settings, patch) });
    });
  }

  async deleteFunction(functionName: string, qualifier?: string): Promise<void> {
    const target = versionTarget(functionName, qualifier, this.#ctx);
    if (target.qualifier === LATEST) {
      throw invalidParameter('$LATEST version cannot be deleted without deleting the function.');
    }
    const notFound = resourceNotFound(
      `Function not found: ${functionArn(this.#ctx, target.name, target.qualifier)}`,
    );
    await this.#locks.run(target.name, async () => {
      const deleted =
        target.qualifier === undefined
          ? await this.#store.deleteFunction(target.name)
          : target.version !== undefined &&
            (await this.#store.deleteFunctionVersion(target.name, target.version));
      if (!deleted) {
        throw notFound;
      }
      this.#changed(target.name);
    });
  }

  async tagResource(resourceArn: string, body: unknown): Promise<void> {
    const tags = readStringMap(requestBody(body), 'Tags');
    if (tags === undefined) {
      throw validationError([
        "Value null at 'tags' failed to satisfy constraint: Member must not be null",
      ]);
    }
    const { resource, arn } = taggedResource(resourceArn, this.#ctx);
    checkTags(tags);
    const result = await this.#store.tagResource(resource, tags, MAX_TAGS);
    if (result === 'not-found') {
      throw resourceNotFound(`Function not found: ${arn}`);
    }
    if (result === 'too-many-tags') {
      throw invalidParameter(TOO_MANY_TAGS);
    }
  }

  async untagResource(resourceArn: string, tagKeys: readonly string[]): Promise<void> {
    const { resource, arn } = taggedResource(resourceArn, this.#ctx);
    checkTagKeys(tagKeys);
    if (!(await this.#store.untagResource(resource, tagKeys))) {
      throw resourceNotFound(`Function not found: ${arn}`);
    }
  }

  async listTags(resourceArn: string): Promise<{ Tags: Record<string, string> }> {
    const { resource, arn } = taggedResource(resourceArn, this.#ctx);
    const tags = await this.#store.getTags(resource);
    if (tags === undefined) {
      throw resourceNotFound(`Function not found: ${arn}`);
    }
    return { Tags: tags };
  }

  /** https://docs.aws.amazon.com/lambda/latest/api/API_GetAccountSettings.html */
  async getAccountSettings(): Promise<AccountSettings> {
    const usage = await this.#store.getAccountUsage();
    return {
      AccountLimit: {
        TotalCodeSize: MAX_TOTAL_CODE_BYTES,
        CodeSizeUnzipped: MAX_UNZIPPED_BYTES,
        CodeSizeZipped: MAX_ZIPPED_BYTES,
        ConcurrentExecutions: this.#accountConcurrency,
        // Reserved concurrency arrives with PutFunctionConcurrency; until then nothing is reserved.
        UnreservedConcurrentExecutions: this.#accountConcurrency,
      },
      AccountUsage: { TotalCodeSize: usage.totalCodeSize, FunctionCount: usage.functionCount },
    };
  }

  readCodePackage(codeSha256Hex: string): Promise<Buffer | undefined> {
    return this.#code.read(codeSha256Hex);
  }

  resolve(functionName: string, qualifier: string | undefined): Promise<ResolvedVersion> {
    return this.#resolver.resolve(functionName, qualifier);
  }

  onChange(listener: (functionName: string) => void): void {
    this.#listeners.push(listener);
  }

  async #load(
    name: string,
    version: string | undefined,
    qualifier?: string,
  ): Promise<FunctionVersion> {
    const record =
      version === undefined ? undefined : await this.#store.getFunctionVersion(name, version);
    if (!record) {
      throw resourceNotFound(`Function not found: ${functionArn(this.#ctx, name, qualifier)}`);
    }
    return decodeVersion(record);
  }

  #render(v: FunctionVersion, qualifier?: string): FunctionConfiguration {
    return renderConfiguration(v, this.#ctx, {
      view: 'full',
      ...(qualifier !== undefined && { qualifier }),
    });
  }

  /**
   * Updates are refused while the function is still being created or another update runs.
   * https://docs.aws.amazon.com/lambda/latest/dg/functions-states.html
   */
  #checkUpdatable(current: FunctionVersion, revisionId: string | undefined): void {
    if (revisionId !== undefined && revisionId !== current.revisionId) {
      throw preconditionFailed(PRECONDITION_FAILED);
    }
    if (current.status.state === 'Pending') {
      throw resourceConflict(
        `The operation cannot be performed at this time. The function is currently in the following state: ${current.status.state}`,
      );
    }
    if (current.status.lastUpdateStatus === 'InProgress') {
      throw updateInProgress(functionArn(this.#ctx, current.functionName));
    }
  }

  async #update(
    current: FunctionVersion,
    change: Partial<Pick<FunctionVersion, 'settings' | 'code' | 'codeSha256Hex' | 'codeSize'>>,
  ): Promise<FunctionConfiguration> {
    const revisionId = randomUUID();
    const next: FunctionVersion = {
      ...current,
      ...change,
      revisionId,
      status: UPDATING,
      lastModified: this.#clock.now(),
      contentRevisionId: revisionId,
    };
    if (!(await this.#store.replaceFunctionVersion(encodeVersion(next), current.revisionId))) {
      // Another node changed the function between our read and our write.
      throw updateInProgress(functionArn(this.#ctx, current.functionName));
    }
    this.#changed(current.functionName);
    this.#lifecycle.later(next);
    return this.#render(next);
  }

  #changed(functionName: string): void {
    this.#resolver.invalidate(functionName);
    for (const listener of this.#listeners) {
      listener(functionName);
    }
  }
}

function alreadyExists(name: string): Error {
  return resourceConflict(`Function already exist: ${name}`);
}

function updateInProgress(arn: string): Error {
  return resourceConflict(
    `The operation cannot be performed at this time. An update is in progress for resource: ${arn}`,
  );
}

function refuseUnsupported(body: Body, members: readonly string[]): void {
  for (const member of members) {
    const value = body[member];
    const empty =
      value === undefined ||
      value === null ||
      (Array.isArray(value) && value.length === 0) ||
      (typeof value === 'object' && Object.keys(value).length === 0);
    if (!empty) {
      throw invalidParameter(`${member} is not supported by Fogbank.`);
    }
  }
}
