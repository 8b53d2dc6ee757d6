/**
 * The RegistryStore half of the SQLite store (aliases, concurrency, layers), a base class of
 * SqliteStore so that the one connection serves both.
 */
import type { Database } from 'better-sqlite3';
import type {
  AddStatementResult,
  AliasRecord,
  CreateAliasResult,
  LayerPolicyRecord,
  LayerStatementChange,
  LayerVersionRecord,
  ListAliasesQuery,
  ListLatestLayerVersionsQuery,
  ListLayerVersionsQuery,
  ListProvisionedConcurrencyQuery,
  NewLayerVersion,
  ProvisionedConcurrencyRecord,
  RegistryStore,
  RemoveStatementResult,
  ReservedConcurrencyResult,
} from '../registry-types.js';
import { AliasTables } from './alias-tables.js';
import { LayerTables } from './layer-tables.js';

/** Runs synchronous database work, turning a thrown error into a rejection. */
function settle<T>(work: () => T): Promise<T> {
  try {
    return Promise.resolve(work());
  } catch (error) {
    return Promise.reject(error instanceof Error ? error : new Error(String(error)));
  }
}

export class SqliteRegistryStore implements RegistryStore {
  readonly #aliases: AliasTables;
  readonly #layers: LayerTables;

  constructor(db: Database) {
    this.#aliases = new AliasTables(db);
    this.#layers = new LayerTables(db);
  }

  lastPublishedVersion(functionName: string): Promise<number | undefined> {
    return settle(() => this.#aliases.lastPublishedVersion(functionName));
  }

  createAlias(alias: AliasRecord): Promise<CreateAliasResult> {
    return settle(() => this.#aliases.createAlias(alias));
  }

  getAlias(functionName: string, name: string): Promise<AliasRecord | undefined> {
    return settle(() => this.#aliases.getAlias(functionName, name));
  }

  listAliases(query: ListAliasesQuery): Promise<AliasRecord[]> {
    return settle(() => this.#aliases.listAliases(query));
  }

  replaceAlias(alias: AliasRecord, expectedRevisionId: string): Promise<boolean> {
    return settle(() => this.#aliases.replaceAlias(alias, expectedRevisionId));
  }

  deleteAlias(functionName: string, name: string): Promise<boolean> {
    return settle(() => this.#aliases.deleteAlias(functionName, name));
  }

  getReservedConcurrency(functionName: string): Promise<number | null | undefined> {
    return settle(() => this.#aliases.getReservedConcurrency(functionName));
  }

  putReservedConcurrency(
    functionName: string,
    value: number,
    maxTotal: number,
  ): Promise<ReservedConcurrencyResult> {
    return settle(() => this.#aliases.putReservedConcurrency(functionName, value, maxTotal));
  }

  deleteReservedConcurrency(functionName: string): Promise<boolean> {
    return settle(() => this.#aliases.deleteReservedConcurrency(functionName));
  }

  totalReservedConcurrency(): Promise<number> {
    return settle(() => this.#aliases.totalReservedConcurrency());
  }

  putProvisionedConcurrency(record: ProvisionedConcurrencyRecord): Promise<boolean> {
    return settle(() => this.#aliases.putProvisioned(record));
  }

  getProvisionedConcurrency(
    functionName: string,
    qualifier: string,
  ): Promise<ProvisionedConcurrencyRecord | undefined> {
    return settle(() => this.#aliases.getProvisioned(functionName, qualifier));
  }

  listProvisionedConcurrency(
    query: ListProvisionedConcurrencyQuery,
  ): Promise<ProvisionedConcurrencyRecord[]> {
    return settle(() => this.#aliases.listProvisioned(query));
  }

  deleteProvisionedConcurrency(functionName: string, qualifier: string): Promise<boolean> {
    return settle(() => this.#aliases.deleteProvisioned(functionName, qualifier));
  }

  publishLayerVersion(layer: NewLayerVersion): Promise<number> {
    return settle(() => this.#layers.publish(layer));
  }

  getLayerVersion(layerName: string, version: number): Promise<LayerVersionRecord | undefined> {
    return settle(() => this.#layers.get(layerName, version));
  }

  listLayerVersions(query: ListLayerVersionsQuery): Promise<LayerVersionRecord[]> {
    return settle(() => this.#layers.listVersions(query));
  }

  listLatestLayerVersions(query: ListLatestLayerVersionsQuery): Promise<LayerVersionRecord[]> {
    return settle(() => this.#layers.listLatest(query));
  }

  deleteLayerVersion(layerName: string, version: number): Promise<boolean> {
    return settle(() => this.#layers.delete(layerName, version));
  }

  getLayerVersionPolicy(
    layerName: string,
    version: number,
  ): Promise<LayerPolicyRecord | undefined> {
    return settle(() => this.#layers.policy(layerName, version));
  }

  addLayerVersionStatement(
    change: LayerStatementChange,
    statement: string,
  ): Promise<AddStatementResult> {
    return settle(() => this.#layers.addStatement(change, statement));
  }

  removeLayerVersionStatement(change: LayerStatementChange): Promise<RemoveStatementResult> {
    return settle(() => this.#layers.removeStatement(change));
  }
}
