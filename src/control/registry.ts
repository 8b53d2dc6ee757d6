/**
 * The function registry: Lambda's function operations over the store and the code store,
 * with AWS's validation, error texts and lifecycle (Pending → Active, InProgress → Successful).
 * https://docs.aws.amazon.com/lambda/latest/api/API_Operations.html
 */
import { randomUUID } from 'node:crypto';
import type { FunctionConfiguration } from '@aws-sdk/client-lambda';
import { functionArn } from '../core/arn.js';
import {
  invalidParameter,
  preconditionFailed,
  resourceConflict,
  resourceNotFound,
  validationError,
} from '../core/errors.js';
import { LATEST } from '../store/index.js';
import { imageNotSupported, readCodeSource } from './code-source.js';
import {
  PRECONDITION_FAILED,
  functionNotFound,
  loadQualified,
  loadVersion,
  updateInProgress,
  type RegistryContext,
} from './context.js';
import { checkCode, codeLocation, storeCode } from './function-code.js';
import { checkUnzippedTotal, layerCodeInUse, resolveFunctionLayers } from './function-layers.js';
import {
  applySettingsPatch,
  checkSettingsPatch,
  defaultSettings,
  type LayerRef,
  type ResolvedSettingsPatch,
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
import { MAX_TAGS, MAX_TOTAL_CODE_BYTES, MAX_UNZIPPED_BYTES, MAX_ZIPPED_BYTES } from './limits.js';
import { decodeMarker, encodeMarker, pageSize, versionFilter } from './listing.js';
import type { ProvisionedConcurrency } from './provisioned-concurrency.js';
import {
  Violations,
  readBoolean,
  readObject,
  readString,
  readStringMap,
  requestBody,
  type Body,
} from './request.js';
import type { ReservedConcurrency } from './reserved-concurrency.js';
import { readArchitecture, readSettingsPatch } from './settings-request.js';
import { TOO_MANY_TAGS, checkTagKeys, checkTags, taggedResource } from './tags.js';
import type {
  AccountSettings,
  GetFunctionResult,
  ListFunctionsParams,
  ListFunctionsResult,
} from './types.js';
import { checkSettled, type FunctionVersions } from './versions.js';

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

/** The parts of the registry that functions' own operations consult or notify. */
export interface FunctionRegistryParts {
  readonly versions: FunctionVersions;
  readonly reserved: ReservedConcurrency;
  readonly provisioned: ProvisionedConcurrency;
}

export class FunctionRegistry {
  readonly #rc: RegistryContext;
  readonly #parts: FunctionRegistryParts;

  constructor(rc: RegistryContext, parts: FunctionRegistryParts) {
    this.#rc = rc;
    this.#parts = parts;
  }

  /**
   * Finishes transitions a previous run left half done (it stopped between an answer and the
   * state change that follows it) and drops packages nothing uses any more.
   */
  async start(): Promise<void> {
    const { store, code, lifecycle } = this.#rc;
    await lifecycle.finishPending();
    const keep = await store.listReferencedCode();
    for (const hex of await layerCodeInUse(store)) {
      keep.add(hex);
    }
    await code.prune(keep);
  }

  async createFunction(body: unknown): Promise<FunctionConfiguration> {
    const rc = this.#rc;
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
    const publish = readBoolean(b, 'Publish') ?? false;
    // An absent required member is one of the violations.
    if (violations.found || nameInput === undefined || code === undefined) {
      throw violations.error();
    }
    const name = newFunctionName(nameInput, rc.ctx);
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
    const resolved = await this.#resolveLayers(patch);
    const settings = applySettingsPatch(defaultSettings(name), resolved);
    checkTags(tags);
    const source = await readCodeSource(code, 'Code.');
    if (await rc.store.getFunctionVersion(name, LATEST)) {
      throw alreadyExists(name);
    }
    const stored = await storeCode(source, 0, rc.store, rc.code);
    await checkUnzippedTotal(rc, stored, settings.layers);
    const now = rc.clock.now();
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
    const created = await rc.store.createFunction({
      latest: encodeVersion(version),
      createdAt: now,
      tags,
    });
    if (!created) {
      throw alreadyExists(name);
    }
    rc.changed(name);
    rc.lifecycle.later(version);
    // With Publish the answer is version 1's, under the unqualified ARN [aws-rec].
    const answer = publish ? await this.#parts.versions.publishCopy(version, CREATING) : version;
    return renderConfiguration(answer, rc.ctx, { view: 'created' });
  }

  async getFunction(functionName: string, qualifier?: string): Promise<GetFunctionResult> {
    const rc = this.#rc;
    const target = versionTarget(functionName, qualifier, rc.ctx);
    const { version } = await loadQualified(rc, target.name, target.qualifier);
    const tags = await rc.store.getTags({ kind: 'function', id: target.name });
    const reserved = await this.#parts.reserved.of(target.name);
    return {
      Configuration: this.#render(version, target.qualifier),
      Code: codeLocation(version, rc.endpoint),
      ...(tags && Object.keys(tags).length > 0 && { Tags: tags }),
      ...(reserved !== undefined && { Concurrency: { ReservedConcurrentExecutions: reserved } }),
    };
  }

  async getFunctionConfiguration(
    functionName: string,
    qualifier?: string,
  ): Promise<FunctionConfiguration> {
    const target = versionTarget(functionName, qualifier, this.#rc.ctx);
    const { version } = await loadQualified(this.#rc, target.name, target.qualifier);
    return this.#render(version, target.qualifier);
  }

  async listFunctions(params: ListFunctionsParams): Promise<ListFunctionsResult> {
    const rc = this.#rc;
    const limit = pageSize(params.maxItems);
    const versions = versionFilter(params.functionVersion);
    const after = params.marker === undefined ? undefined : decodeMarker(params.marker);
    const rows = await rc.store.listFunctionVersions({
      versions,
      limit: limit + 1,
      ...(after && { after }),
    });
    const page = rows.slice(0, limit).map(decodeVersion);
    const last = page.at(-1);
    return {
      // With FunctionVersion=ALL every entry, $LATEST too, carries a qualified ARN [ls].
      Functions: page.map((v) =>
        renderConfiguration(v, rc.ctx, {
          view: 'listed',
          ...(versions === 'all' && { qualifier: v.version }),
        }),
      ),
      ...(rows.length > limit && last && { NextMarker: encodeMarker(last) }),
    };
  }

  async updateFunctionCode(functionName: string, body: unknown): Promise<FunctionConfiguration> {
    const rc = this.#rc;
    const name = unqualifiedFunctionName(functionName, rc.ctx);
    const b = requestBody(body);
    const violations = new Violations();
    const patch: SettingsPatch = {};
    readArchitecture(b, patch, violations);
    const revisionId = readString(b, 'RevisionId');
    const dryRun = readBoolean(b, 'DryRun') ?? false;
    const publish = readBoolean(b, 'Publish') ?? false;
    violations.throwIfAny();
    return rc.locks.run(name, async () => {
      const current = await loadVersion(rc, name, LATEST);
      this.#checkUpdatable(current, revisionId);
      const source = await readCodeSource(b, '');
      const settings = applySettingsPatch(current.settings, patch);
      if (dryRun) {
        const checked = await checkCode(source, rc.code);
        await checkUnzippedTotal(rc, checked, settings.layers);
        return this.#render({ ...current, ...checked, settings });
      }
      const stored = await storeCode(source, current.codeSize, rc.store, rc.code);
      await checkUnzippedTotal(rc, stored, settings.layers);
      const next = await this.#update(current, { ...stored, settings });
      if (!publish) {
        return this.#render(next);
      }
      // The answer is the new version, Pending until it settles [aws-rec].
      const published = await this.#parts.versions.publishCopy(next, CREATING);
      return renderConfiguration(published, rc.ctx, {
        view: 'created',
        qualifier: published.version,
      });
    });
  }

  async updateFunctionConfiguration(
    functionName: string,
    body: unknown,
  ): Promise<FunctionConfiguration> {
    const rc = this.#rc;
    const name = unqualifiedFunctionName(functionName, rc.ctx);
    const b = requestBody(body);
    const violations = new Violations();
    const patch = readSettingsPatch(b, violations);
    const revisionId = readString(b, 'RevisionId');
    violations.throwIfAny();
    refuseUnsupported(b, UNSUPPORTED_ON_UPDATE);
    checkSettingsPatch(patch);
    return rc.locks.run(name, async () => {
      const current = await loadVersion(rc, name, LATEST);
      this.#checkUpdatable(current, revisionId);
      const resolved = await this.#resolveLayers(patch);
      const settings = applySettingsPatch(current.settings, resolved);
      await checkUnzippedTotal(rc, current, settings.layers);
      return this.#render(await this.#update(current, { settings }));
    });
  }

  async deleteFunction(functionName: string, qualifier?: string): Promise<void> {
    const rc = this.#rc;
    const target = versionTarget(functionName, qualifier, rc.ctx);
    if (target.qualifier === LATEST) {
      throw invalidParameter('$LATEST version cannot be deleted without deleting the function.');
    }
    if (target.qualifier !== undefined) {
      await this.#parts.versions.deleteVersion(target.name, target.qualifier);
      return;
    }
    await rc.locks.run(target.name, async () => {
      // Versions, aliases, concurrency settings and tags go with it, in one transaction.
      if (!(await rc.store.deleteFunction(target.name))) {
        throw functionNotFound(rc.ctx, target.name);
      }
      rc.changed(target.name);
      this.#parts.provisioned.forget(target.name);
      await this.#parts.reserved.refresh();
    });
  }

  async tagResource(resourceArn: string, body: unknown): Promise<void> {
    const tags = readStringMap(requestBody(body), 'Tags');
    if (tags === undefined) {
      throw validationError([
        "Value null at 'tags' failed to satisfy constraint: Member must not be null",
      ]);
    }
    const { resource, arn } = taggedResource(resourceArn, this.#rc.ctx);
    checkTags(tags);
    const result = await this.#rc.store.tagResource(resource, tags, MAX_TAGS);
    if (result === 'not-found') {
      throw resourceNotFound(`Function not found: ${arn}`);
    }
    if (result === 'too-many-tags') {
      throw invalidParameter(TOO_MANY_TAGS);
    }
  }

  async untagResource(resourceArn: string, tagKeys: readonly string[]): Promise<void> {
    const { resource, arn } = taggedResource(resourceArn, this.#rc.ctx);
    checkTagKeys(tagKeys);
    if (!(await this.#rc.store.untagResource(resource, tagKeys))) {
      throw resourceNotFound(`Function not found: ${arn}`);
    }
  }

  async listTags(resourceArn: string): Promise<{ Tags: Record<string, string> }> {
    const { resource, arn } = taggedResource(resourceArn, this.#rc.ctx);
    const tags = await this.#rc.store.getTags(resource);
    if (tags === undefined) {
      throw resourceNotFound(`Function not found: ${arn}`);
    }
    return { Tags: tags };
  }

  /** https://docs.aws.amazon.com/lambda/latest/api/API_GetAccountSettings.html */
  async getAccountSettings(): Promise<AccountSettings> {
    const rc = this.#rc;
    const usage = await rc.store.getAccountUsage();
    return {
      AccountLimit: {
        TotalCodeSize: MAX_TOTAL_CODE_BYTES,
        CodeSizeUnzipped: MAX_UNZIPPED_BYTES,
        CodeSizeZipped: MAX_ZIPPED_BYTES,
        ConcurrentExecutions: rc.accountConcurrency,
        UnreservedConcurrentExecutions: rc.accountConcurrency - this.#parts.reserved.total,
      },
      AccountUsage: { TotalCodeSize: usage.totalCodeSize, FunctionCount: usage.functionCount },
    };
  }

  readCodePackage(codeSha256Hex: string): Promise<Buffer | undefined> {
    return this.#rc.code.read(codeSha256Hex);
  }

  /** The patch with the layer ARNs it names resolved against the stored layers. */
  async #resolveLayers(patch: SettingsPatch): Promise<ResolvedSettingsPatch> {
    const { layerArns, ...rest } = patch;
    if (layerArns === undefined) {
      return rest;
    }
    const layers: LayerRef[] = await resolveFunctionLayers(this.#rc, layerArns);
    return { ...rest, layers };
  }

  #render(v: FunctionVersion, qualifier?: string): FunctionConfiguration {
    return renderConfiguration(v, this.#rc.ctx, {
      view: 'full',
      ...(qualifier !== undefined && { qualifier }),
    });
  }

  /** Updates are refused while the function is still being created or another update runs. */
  #checkUpdatable(current: FunctionVersion, revisionId: string | undefined): void {
    if (revisionId !== undefined && revisionId !== current.revisionId) {
      throw preconditionFailed(PRECONDITION_FAILED);
    }
    checkSettled(this.#rc, current);
  }

  async #update(
    current: FunctionVersion,
    change: Partial<
      Pick<FunctionVersion, 'settings' | 'code' | 'codeSha256Hex' | 'codeSize' | 'unzippedSize'>
    >,
  ): Promise<FunctionVersion> {
    const rc = this.#rc;
    const revisionId = randomUUID();
    const next: FunctionVersion = {
      ...current,
      ...change,
      revisionId,
      status: UPDATING,
      lastModified: rc.clock.now(),
      contentRevisionId: revisionId,
    };
    if (!(await rc.store.replaceFunctionVersion(encodeVersion(next), current.revisionId))) {
      // Another node changed the function between our read and our write.
      throw updateInProgress(functionArn(rc.ctx, current.functionName));
    }
    rc.changed(current.functionName);
    rc.lifecycle.later(next);
    return next;
  }
}

function alreadyExists(name: string): Error {
  return resourceConflict(`Function already exist: ${name}`);
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
