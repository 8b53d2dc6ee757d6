/**
 * What the Store keeps for versions, aliases, concurrency settings and layers, beside the
 * functions themselves (types.ts). The control plane shapes these records; the store only keeps
 * them and makes each change one transaction.
 */

/** An alias: a name pointing at a version, optionally sharing traffic with a second one. */
export interface AliasRecord {
  readonly functionName: string;
  readonly name: string;
  /** `$LATEST` or a published version number. */
  readonly functionVersion: string;
  readonly description: string;
  /** RoutingConfig.AdditionalVersionWeights; empty when the alias routes to one version. */
  readonly additionalVersionWeights: Readonly<Record<string, number>>;
  readonly revisionId: string;
}

export interface ListAliasesQuery {
  readonly functionName: string;
  /** Only aliases whose primary version is this one. */
  readonly functionVersion?: string;
  /** Resume after this alias name (exclusive). */
  readonly after?: string;
  readonly limit: number;
}

export type CreateAliasResult = 'created' | 'exists' | 'no-function';

export type ProvisionedConcurrencyStatus = 'IN_PROGRESS' | 'READY' | 'FAILED';

/** A provisioned concurrency config of one qualifier (a published version or an alias). */
export interface ProvisionedConcurrencyRecord {
  readonly functionName: string;
  readonly qualifier: string;
  readonly requested: number;
  readonly allocated: number;
  readonly available: number;
  readonly status: ProvisionedConcurrencyStatus;
  readonly statusReason?: string;
  /** ms since the epoch of the last change to the requested figure. */
  readonly lastModified: number;
}

export interface ListProvisionedConcurrencyQuery {
  /** Absent: the configs of every function (for the environment pool at start). */
  readonly functionName?: string;
  /** Resume after this qualifier (exclusive; only with functionName). */
  readonly after?: string;
  readonly limit: number;
}

export type ReservedConcurrencyResult = 'set' | 'not-found' | 'exceeds';

/** One published version of a layer. */
export interface LayerVersionRecord {
  readonly layerName: string;
  /** 1, 2, …: never reused, even after a delete. */
  readonly version: number;
  readonly description: string;
  /** ms since the epoch. */
  readonly createdAt: number;
  /** Hex SHA-256 of the package in the code store. */
  readonly codeSha256: string;
  readonly codeSize: number;
  /** Sum of the uncompressed sizes of the package's entries (the 250 MB rule). */
  readonly unzippedSize: number;
  readonly compatibleRuntimes?: readonly string[];
  readonly compatibleArchitectures?: readonly string[];
  readonly licenseInfo?: string;
}

export type NewLayerVersion = Omit<LayerVersionRecord, 'version'>;

/** ListLayers / ListLayerVersions filters: a version matches when it declares the value. */
export interface LayerVersionFilter {
  readonly compatibleRuntime?: string;
  readonly compatibleArchitecture?: string;
}

export interface ListLayerVersionsQuery extends LayerVersionFilter {
  readonly layerName: string;
  /** Resume below this version number (versions come newest first). */
  readonly before?: number;
  readonly limit: number;
}

export interface ListLatestLayerVersionsQuery extends LayerVersionFilter {
  /** Resume after this layer name (exclusive). */
  readonly after?: string;
  readonly limit: number;
}

/** A layer version's resource policy: its statements (JSON documents) in the order added. */
export interface LayerPolicyRecord {
  readonly statements: readonly string[];
  /** Undefined while the layer version never had a statement. */
  readonly revisionId?: string;
}

export interface LayerStatementChange {
  readonly layerName: string;
  readonly version: number;
  readonly statementId: string;
  /** The RevisionId the caller expects the policy to have, if it gave one. */
  readonly expectedRevisionId?: string;
  /** The policy's RevisionId after the change. */
  readonly newRevisionId: string;
}

export type AddStatementResult = 'added' | 'not-found' | 'exists' | 'revision-mismatch';
export type RemoveStatementResult = 'removed' | 'not-found' | 'no-statement' | 'revision-mismatch';

/** The part of the Store behind versions, aliases, concurrency and layers. */
export interface RegistryStore {
  /** The highest version number ever published (0: none), or undefined without the function. */
  lastPublishedVersion(functionName: string): Promise<number | undefined>;

  /** Adds an alias: `exists` when the function has one of that name already. */
  createAlias(alias: AliasRecord): Promise<CreateAliasResult>;
  getAlias(functionName: string, name: string): Promise<AliasRecord | undefined>;
  /** Aliases of a function by name. */
  listAliases(query: ListAliasesQuery): Promise<AliasRecord[]>;
  /** Replaces an alias if its RevisionId is still `expectedRevisionId` (compare-and-set). */
  replaceAlias(alias: AliasRecord, expectedRevisionId: string): Promise<boolean>;
  /** Deletes an alias and the provisioned concurrency config of its name. */
  deleteAlias(functionName: string, name: string): Promise<boolean>;

  /** null: no reservation; undefined: no such function. */
  getReservedConcurrency(functionName: string): Promise<number | null | undefined>;
  /**
   * Reserves `value` for a function unless the reservations of all functions together would then
   * exceed `maxTotal` (checked and written in one transaction).
   */
  putReservedConcurrency(
    functionName: string,
    value: number,
    maxTotal: number,
  ): Promise<ReservedConcurrencyResult>;
  /** False when the function does not exist. */
  deleteReservedConcurrency(functionName: string): Promise<boolean>;
  /** Σ reserved concurrency over all functions. */
  totalReservedConcurrency(): Promise<number>;

  /** Adds or replaces a config; false when the function does not exist. */
  putProvisionedConcurrency(record: ProvisionedConcurrencyRecord): Promise<boolean>;
  getProvisionedConcurrency(
    functionName: string,
    qualifier: string,
  ): Promise<ProvisionedConcurrencyRecord | undefined>;
  /** By function name, then qualifier. */
  listProvisionedConcurrency(
    query: ListProvisionedConcurrencyQuery,
  ): Promise<ProvisionedConcurrencyRecord[]>;
  deleteProvisionedConcurrency(functionName: string, qualifier: string): Promise<boolean>;

  /** Adds the next version of a layer (creating the layer at version 1); returns its number. */
  publishLayerVersion(layer: NewLayerVersion): Promise<number>;
  getLayerVersion(layerName: string, version: number): Promise<LayerVersionRecord | undefined>;
  /** Versions of one layer matching the filter, newest first. */
  listLayerVersions(query: ListLayerVersionsQuery): Promise<LayerVersionRecord[]>;
  /** The newest matching version of each layer, by layer name. */
  listLatestLayerVersions(query: ListLatestLayerVersionsQuery): Promise<LayerVersionRecord[]>;
  /** Deletes a layer version and its policy; false when there was none. */
  deleteLayerVersion(layerName: string, version: number): Promise<boolean>;
  /** Undefined when the layer version does not exist. */
  getLayerVersionPolicy(layerName: string, version: number): Promise<LayerPolicyRecord | undefined>;
  /** Adds a statement (a JSON document) under compare-and-set on the policy's RevisionId. */
  addLayerVersionStatement(
    change: LayerStatementChange,
    statement: string,
  ): Promise<AddStatementResult>;
  removeLayerVersionStatement(change: LayerStatementChange): Promise<RemoveStatementResult>;
}
