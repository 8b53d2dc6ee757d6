/**
 * The registry as one object: every control-plane operation, the resolver the invoke path uses,
 * and the provisioned-concurrency hooks of the environment pool, each delegated to the part
 * that owns it. The parts share one RegistryContext (store, locks, lifecycle, notifications).
 */
import type { FunctionConfiguration } from '@aws-sdk/client-lambda';
import type { AccountContext } from '../core/arn.js';
import type { Clock } from '../core/clock.js';
import type { FunctionResolver, ResolvedVersion } from '../invoke/types.js';
import type { Store } from '../store/index.js';
import { AliasService } from './aliases.js';
import type { CodeStore } from './code-store.js';
import type { RegistryContext } from './context.js';
import { KeyedMutex } from './keyed-mutex.js';
import { LayerPolicies } from './layer-policy.js';
import { LayerService } from './layers.js';
import { LifecycleTransitions } from './lifecycle.js';
import { ProvisionedConcurrency } from './provisioned-concurrency.js';
import { FunctionRegistry } from './registry.js';
import { ReservedConcurrency } from './reserved-concurrency.js';
import type {
  ControlPlane,
  ListAliasesParams,
  ListLayersParams,
  PageParams,
  ProvisionedConcurrencyHooks,
  ProvisionedConcurrencyListener,
  ProvisionedConcurrencyReadiness,
} from './types.js';
import { VersionResolver } from './version-resolver.js';
import { FunctionVersions } from './versions.js';

export interface ControlPlaneOptions {
  readonly store: Store;
  readonly dataDir: string;
  readonly ctx: AccountContext;
  /** Base URL of this server as clients reach it (GetFunction's Code.Location points here). */
  readonly publicEndpoint: string;
  /** The account's concurrency limit (GetAccountSettings, reserved concurrency). */
  readonly accountConcurrency: number;
  readonly clock: Clock;
  /** Told about background failures (a lifecycle transition that could not be stored). */
  readonly onWarning?: (message: string) => void;
}

export class ControlPlaneService
  implements ControlPlane, FunctionResolver, ProvisionedConcurrencyHooks
{
  readonly #resolver: VersionResolver;
  readonly #lifecycle: LifecycleTransitions;
  readonly #listeners: ((functionName: string) => void)[] = [];
  readonly #functions: FunctionRegistry;
  readonly #versions: FunctionVersions;
  readonly #aliases: AliasService;
  readonly #reserved: ReservedConcurrency;
  readonly #provisioned: ProvisionedConcurrency;
  readonly #layers: LayerService;
  readonly #layerPolicies: LayerPolicies;

  constructor(options: ControlPlaneOptions, code: CodeStore) {
    const locks = new KeyedMutex();
    this.#resolver = new VersionResolver(options.store, code, options.ctx);
    this.#lifecycle = new LifecycleTransitions({
      store: options.store,
      locks,
      clock: options.clock,
      onSettled: (name) => {
        this.#changed(name);
      },
      warn: options.onWarning ?? (() => undefined),
    });
    const rc: RegistryContext = {
      store: options.store,
      code,
      ctx: options.ctx,
      clock: options.clock,
      endpoint: options.publicEndpoint.replace(/\/+$/, ''),
      accountConcurrency: options.accountConcurrency,
      locks,
      lifecycle: this.#lifecycle,
      changed: (name) => {
        this.#changed(name);
      },
      invalidate: (name) => {
        this.#resolver.invalidate(name);
      },
    };
    this.#provisioned = new ProvisionedConcurrency(rc, () => this.#reserved.total);
    this.#reserved = new ReservedConcurrency(rc, (name) => this.#provisioned.totalOf(name));
    this.#versions = new FunctionVersions(rc, (name, version) => {
      this.#provisioned.forget(name, version);
    });
    this.#aliases = new AliasService(rc, this.#provisioned);
    this.#layers = new LayerService(rc);
    this.#layerPolicies = new LayerPolicies(rc);
    this.#functions = new FunctionRegistry(rc, {
      versions: this.#versions,
      reserved: this.#reserved,
      provisioned: this.#provisioned,
    });
  }

  /** Finishes what a previous run left pending and loads the cached concurrency figures. */
  async start(): Promise<void> {
    await this.#functions.start();
    await this.#reserved.start();
    await this.#provisioned.start();
  }

  /** Cancels scheduled lifecycle transitions (the next start finishes them); waits for running ones. */
  stop(): Promise<void> {
    return this.#lifecycle.stop();
  }

  // FunctionResolver

  resolve(functionName: string, qualifier: string | undefined): Promise<ResolvedVersion> {
    return this.#resolver.resolve(functionName, qualifier);
  }

  totalReservedConcurrency(): number {
    return this.#reserved.total;
  }

  onChange(listener: (functionName: string) => void): void {
    this.#listeners.push(listener);
  }

  // ProvisionedConcurrencyHooks

  onProvisionedConcurrencyChange(listener: ProvisionedConcurrencyListener): void {
    this.#provisioned.onChange(listener);
  }

  setProvisionedConcurrencyStatus(
    functionName: string,
    qualifier: string,
    readiness: ProvisionedConcurrencyReadiness,
  ): Promise<boolean> {
    return this.#provisioned.setStatus(functionName, qualifier, readiness);
  }

  // Functions, tags, account

  createFunction(body: unknown): Promise<FunctionConfiguration> {
    return this.#functions.createFunction(body);
  }

  getFunction(functionName: string, qualifier?: string): ReturnType<ControlPlane['getFunction']> {
    return this.#functions.getFunction(functionName, qualifier);
  }

  getFunctionConfiguration(
    functionName: string,
    qualifier?: string,
  ): Promise<FunctionConfiguration> {
    return this.#functions.getFunctionConfiguration(functionName, qualifier);
  }

  listFunctions(
    params: Parameters<ControlPlane['listFunctions']>[0],
  ): ReturnType<ControlPlane['listFunctions']> {
    return this.#functions.listFunctions(params);
  }

  updateFunctionCode(functionName: string, body: unknown): Promise<FunctionConfiguration> {
    return this.#functions.updateFunctionCode(functionName, body);
  }

  updateFunctionConfiguration(functionName: string, body: unknown): Promise<FunctionConfiguration> {
    return this.#functions.updateFunctionConfiguration(functionName, body);
  }

  deleteFunction(functionName: string, qualifier?: string): Promise<void> {
    return this.#functions.deleteFunction(functionName, qualifier);
  }

  tagResource(resourceArn: string, body: unknown): Promise<void> {
    return this.#functions.tagResource(resourceArn, body);
  }

  untagResource(resourceArn: string, tagKeys: readonly string[]): Promise<void> {
    return this.#functions.untagResource(resourceArn, tagKeys);
  }

  listTags(resourceArn: string): Promise<{ Tags: Record<string, string> }> {
    return this.#functions.listTags(resourceArn);
  }

  getAccountSettings(): ReturnType<ControlPlane['getAccountSettings']> {
    return this.#functions.getAccountSettings();
  }

  readCodePackage(codeSha256Hex: string): Promise<Buffer | undefined> {
    return this.#functions.readCodePackage(codeSha256Hex);
  }

  // Versions and aliases

  publishVersion(functionName: string, body: unknown): Promise<FunctionConfiguration> {
    return this.#versions.publishVersion(functionName, body);
  }

  listVersionsByFunction(
    functionName: string,
    params: PageParams,
  ): ReturnType<ControlPlane['listVersionsByFunction']> {
    return this.#versions.listVersionsByFunction(functionName, params);
  }

  createAlias(functionName: string, body: unknown): ReturnType<ControlPlane['createAlias']> {
    return this.#aliases.createAlias(functionName, body);
  }

  getAlias(functionName: string, aliasName: string): ReturnType<ControlPlane['getAlias']> {
    return this.#aliases.getAlias(functionName, aliasName);
  }

  updateAlias(
    functionName: string,
    aliasName: string,
    body: unknown,
  ): ReturnType<ControlPlane['updateAlias']> {
    return this.#aliases.updateAlias(functionName, aliasName, body);
  }

  deleteAlias(functionName: string, aliasName: string): Promise<void> {
    return this.#aliases.deleteAlias(functionName, aliasName);
  }

  listAliases(
    functionName: string,
    params: ListAliasesParams,
  ): ReturnType<ControlPlane['listAliases']> {
    return this.#aliases.listAliases(functionName, params);
  }

  // Concurrency

  putFunctionConcurrency(
    functionName: string,
    body: unknown,
  ): Promise<{ ReservedConcurrentExecutions: number }> {
    return this.#reserved.put(functionName, body);
  }

  getFunctionConcurrency(
    functionName: string,
  ): Promise<{ readonly ReservedConcurrentExecutions?: number }> {
    return this.#reserved.get(functionName);
  }

  deleteFunctionConcurrency(functionName: string): Promise<void> {
    return this.#reserved.delete(functionName);
  }

  putProvisionedConcurrencyConfig(
    functionName: string,
    qualifier: string | undefined,
    body: unknown,
  ): ReturnType<ControlPlane['putProvisionedConcurrencyConfig']> {
    return this.#provisioned.put(functionName, qualifier, body);
  }

  getProvisionedConcurrencyConfig(
    functionName: string,
    qualifier: string | undefined,
  ): ReturnType<ControlPlane['getProvisionedConcurrencyConfig']> {
    return this.#provisioned.get(functionName, qualifier);
  }

  deleteProvisionedConcurrencyConfig(
    functionName: string,
    qualifier: string | undefined,
  ): Promise<void> {
    return this.#provisioned.delete(functionName, qualifier);
  }

  listProvisionedConcurrencyConfigs(
    functionName: string,
    params: PageParams,
  ): ReturnType<ControlPlane['listProvisionedConcurrencyConfigs']> {
    return this.#provisioned.list(functionName, params);
  }

  // Layers

  publishLayerVersion(
    layerName: string,
    body: unknown,
  ): ReturnType<ControlPlane['publishLayerVersion']> {
    return this.#layers.publish(layerName, body);
  }

  getLayerVersion(
    layerName: string,
    versionNumber: string,
  ): ReturnType<ControlPlane['getLayerVersion']> {
    return this.#layers.get(layerName, versionNumber);
  }

  getLayerVersionByArn(arn: string): ReturnType<ControlPlane['getLayerVersionByArn']> {
    return this.#layers.getByArn(arn);
  }

  listLayers(params: ListLayersParams): ReturnType<ControlPlane['listLayers']> {
    return this.#layers.list(params);
  }

  listLayerVersions(
    layerName: string,
    params: ListLayersParams,
  ): ReturnType<ControlPlane['listLayerVersions']> {
    return this.#layers.listVersions(layerName, params);
  }

  deleteLayerVersion(layerName: string, versionNumber: string): Promise<void> {
    return this.#layers.delete(layerName, versionNumber);
  }

  addLayerVersionPermission(
    layerName: string,
    versionNumber: string,
    body: unknown,
    revisionId: string | undefined,
  ): ReturnType<ControlPlane['addLayerVersionPermission']> {
    return this.#layerPolicies.add(layerName, versionNumber, body, revisionId);
  }

  getLayerVersionPolicy(
    layerName: string,
    versionNumber: string,
  ): ReturnType<ControlPlane['getLayerVersionPolicy']> {
    return this.#layerPolicies.get(layerName, versionNumber);
  }

  removeLayerVersionPermission(
    layerName: string,
    versionNumber: string,
    statementId: string,
    revisionId: string | undefined,
  ): Promise<void> {
    return this.#layerPolicies.remove(layerName, versionNumber, statementId, revisionId);
  }

  #changed(functionName: string): void {
    this.#resolver.invalidate(functionName);
    for (const listener of this.#listeners) {
      listener(functionName);
    }
  }
}
