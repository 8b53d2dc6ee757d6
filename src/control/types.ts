/**
 * The control plane as the API layer sees it: one method per Lambda operation.
 * Inputs are the raw JSON bodies (validated here, in src/control, where every limit lives);
 * outputs are AWS's response shapes, ready to serialize.
 */
import type {
  AccountLimit,
  AccountUsage,
  AddLayerVersionPermissionResponse,
  AliasConfiguration,
  FunctionCodeLocation,
  FunctionConfiguration,
  GetLayerVersionPolicyResponse,
  GetLayerVersionResponse,
  GetProvisionedConcurrencyConfigResponse,
  ListAliasesResponse,
  ListLayersResponse,
  ListLayerVersionsResponse,
  ListProvisionedConcurrencyConfigsResponse,
  ListVersionsByFunctionResponse,
} from '@aws-sdk/client-lambda';

export interface GetFunctionResult {
  readonly Configuration: FunctionConfiguration;
  readonly Code: FunctionCodeLocation;
  readonly Tags?: Record<string, string>;
  readonly Concurrency?: { readonly ReservedConcurrentExecutions?: number };
}

export interface ListFunctionsParams {
  readonly marker?: string;
  readonly maxItems?: number;
  /** `ALL` lists published versions too. */
  readonly functionVersion?: string;
}

export interface ListFunctionsResult {
  readonly Functions: FunctionConfiguration[];
  readonly NextMarker?: string;
}

/** Marker/MaxItems of a List* operation. */
export interface PageParams {
  readonly marker?: string;
  readonly maxItems?: number;
}

export interface ListAliasesParams extends PageParams {
  /** Only aliases whose primary version is this one. */
  readonly functionVersion?: string;
}

export interface ListLayersParams extends PageParams {
  readonly compatibleRuntime?: string;
  readonly compatibleArchitecture?: string;
}

export interface AccountSettings {
  readonly AccountLimit: AccountLimit;
  readonly AccountUsage: AccountUsage;
}

/**
 * Every method throws a ServiceError (src/core/errors.ts) for bad input or a missing resource,
 * and changes nothing when it throws. `functionName` arguments are the FunctionName path label
 * as sent (name, partial ARN or ARN, possibly qualified).
 */
export interface ControlPlane {
  /** CreateFunction (201). */
  createFunction(body: unknown): Promise<FunctionConfiguration>;
  /** GetFunction. */
  getFunction(functionName: string, qualifier?: string): Promise<GetFunctionResult>;
  /** GetFunctionConfiguration. */
  getFunctionConfiguration(
    functionName: string,
    qualifier?: string,
  ): Promise<FunctionConfiguration>;
  /** ListFunctions (≤ 50 per page). */
  listFunctions(params: ListFunctionsParams): Promise<ListFunctionsResult>;
  /** UpdateFunctionCode. */
  updateFunctionCode(functionName: string, body: unknown): Promise<FunctionConfiguration>;
  /** UpdateFunctionConfiguration. */
  updateFunctionConfiguration(functionName: string, body: unknown): Promise<FunctionConfiguration>;
  /** DeleteFunction (whole function, or one version with a qualifier). */
  deleteFunction(functionName: string, qualifier?: string): Promise<void>;
  /** TagResource on an unqualified function ARN. */
  tagResource(resourceArn: string, body: unknown): Promise<void>;
  /** UntagResource. */
  untagResource(resourceArn: string, tagKeys: readonly string[]): Promise<void>;
  /** ListTags. */
  listTags(resourceArn: string): Promise<{ Tags: Record<string, string> }>;
  /** GetAccountSettings. */
  getAccountSettings(): Promise<AccountSettings>;
  /**
   * The deployment package behind GetFunction's Code.Location, by its CodeSha256 in hex;
   * undefined when no such package is stored.
   */
  readCodePackage(codeSha256Hex: string): Promise<Buffer | undefined>;

  /** PublishVersion (201). */
  publishVersion(functionName: string, body: unknown): Promise<FunctionConfiguration>;
  /** ListVersionsByFunction: `$LATEST` first, then by number. */
  listVersionsByFunction(
    functionName: string,
    params: PageParams,
  ): Promise<ListVersionsByFunctionResponse>;

  /** CreateAlias (201). */
  createAlias(functionName: string, body: unknown): Promise<AliasConfiguration>;
  /** GetAlias. */
  getAlias(functionName: string, aliasName: string): Promise<AliasConfiguration>;
  /** UpdateAlias. */
  updateAlias(functionName: string, aliasName: string, body: unknown): Promise<AliasConfiguration>;
  /** DeleteAlias (204). */
  deleteAlias(functionName: string, aliasName: string): Promise<void>;
  /** ListAliases. */
  listAliases(functionName: string, params: ListAliasesParams): Promise<ListAliasesResponse>;

  /** PutFunctionConcurrency. */
  putFunctionConcurrency(
    functionName: string,
    body: unknown,
  ): Promise<{ ReservedConcurrentExecutions: number }>;
  /** GetFunctionConcurrency: `{}` when nothing is reserved. */
  getFunctionConcurrency(
    functionName: string,
  ): Promise<{ readonly ReservedConcurrentExecutions?: number }>;
  /** DeleteFunctionConcurrency (204). */
  deleteFunctionConcurrency(functionName: string): Promise<void>;

  /** PutProvisionedConcurrencyConfig (202). */
  putProvisionedConcurrencyConfig(
    functionName: string,
    qualifier: string | undefined,
    body: unknown,
  ): Promise<GetProvisionedConcurrencyConfigResponse>;
  /** GetProvisionedConcurrencyConfig. */
  getProvisionedConcurrencyConfig(
    functionName: string,
    qualifier: string | undefined,
  ): Promise<GetProvisionedConcurrencyConfigResponse>;
  /** DeleteProvisionedConcurrencyConfig (204). */
  deleteProvisionedConcurrencyConfig(
    functionName: string,
    qualifier: string | undefined,
  ): Promise<void>;
  /** ListProvisionedConcurrencyConfigs (`?List=ALL`). */
  listProvisionedConcurrencyConfigs(
    functionName: string,
    params: PageParams,
  ): Promise<ListProvisionedConcurrencyConfigsResponse>;

  /** PublishLayerVersion (201). `layerName` is the path label: a name or a layer ARN. */
  publishLayerVersion(layerName: string, body: unknown): Promise<GetLayerVersionResponse>;
  /** GetLayerVersion; `versionNumber` is the path label as sent. */
  getLayerVersion(layerName: string, versionNumber: string): Promise<GetLayerVersionResponse>;
  /** GetLayerVersionByArn (`GET /2018-10-31/layers?find=LayerVersion&Arn=`). */
  getLayerVersionByArn(arn: string): Promise<GetLayerVersionResponse>;
  /** ListLayers. */
  listLayers(params: ListLayersParams): Promise<ListLayersResponse>;
  /** ListLayerVersions, newest first. */
  listLayerVersions(
    layerName: string,
    params: ListLayersParams,
  ): Promise<ListLayerVersionsResponse>;
  /** DeleteLayerVersion (204, idempotent). */
  deleteLayerVersion(layerName: string, versionNumber: string): Promise<void>;
  /** AddLayerVersionPermission (201). */
  addLayerVersionPermission(
    layerName: string,
    versionNumber: string,
    body: unknown,
    revisionId: string | undefined,
  ): Promise<AddLayerVersionPermissionResponse>;
  /** GetLayerVersionPolicy. */
  getLayerVersionPolicy(
    layerName: string,
    versionNumber: string,
  ): Promise<GetLayerVersionPolicyResponse>;
  /** RemoveLayerVersionPermission (204). */
  removeLayerVersionPermission(
    layerName: string,
    versionNumber: string,
    statementId: string,
    revisionId: string | undefined,
  ): Promise<void>;
}

/** What the environment pool reports about a provisioned concurrency config. */
export interface ProvisionedConcurrencyReadiness {
  /** Environments initialized so far. */
  readonly allocated: number;
  /** Of those, the ones free to take an invocation. */
  readonly available: number;
  readonly status: 'READY' | 'FAILED';
  readonly statusReason?: string;
}

/**
 * Told what to keep warm: `count` initialized environments of a function version (0: none any
 * more). Called for every config that exists when the listener registers, then on each change.
 */
export type ProvisionedConcurrencyListener = (
  functionName: string,
  version: string,
  count: number,
) => void;

/** How the environment pool and the registry talk about provisioned concurrency. */
export interface ProvisionedConcurrencyHooks {
  /** Registers a listener; it first hears of every existing config. */
  onProvisionedConcurrencyChange(listener: ProvisionedConcurrencyListener): void;
  /**
   * The pool's progress on a config, named by its qualifier (version or alias) or by the version
   * it warms. Resolves false when no config matches (it was deleted meanwhile).
   */
  setProvisionedConcurrencyStatus(
    functionName: string,
    qualifier: string,
    readiness: ProvisionedConcurrencyReadiness,
  ): Promise<boolean>;
}
