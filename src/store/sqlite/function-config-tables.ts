/**
 * Per-qualifier settings of a function that live beside its versions: asynchronous invocation
 * configs (PutFunctionEventInvokeConfig), function URL configs and resource-based policies.
 * Each row is keyed by (function name, qualifier), so deleting a function or one of its aliases
 * or versions is one DELETE per table.
 */
import type { Database, Statement } from 'better-sqlite3';
import type { JsonObject } from '../types.js';
import type { Migration } from './migrations.js';

/**
 * `seq` keeps list order (and paging markers) stable: a Put that replaces a config keeps its
 * place. Function URLs and policies use '' as the qualifier of the unqualified function.
 */
export const FUNCTION_CONFIG_MIGRATION: Migration = {
  version: 20,
  name: 'event invoke configs, function URLs and resource policies',
  sql: `
    CREATE TABLE event_invoke_configs (
      seq INTEGER PRIMARY KEY AUTOINCREMENT,
      function_name TEXT NOT NULL,
      qualifier TEXT NOT NULL,
      config TEXT NOT NULL,
      last_modified INTEGER NOT NULL,
      UNIQUE (function_name, qualifier)
    ) STRICT;

    CREATE TABLE function_url_configs (
      seq INTEGER PRIMARY KEY AUTOINCREMENT,
      function_name TEXT NOT NULL,
      qualifier TEXT NOT NULL,
      url_id TEXT NOT NULL UNIQUE,
      config TEXT NOT NULL,
      created_at INTEGER NOT NULL,
      last_modified INTEGER NOT NULL,
      UNIQUE (function_name, qualifier)
    ) STRICT;

    CREATE TABLE function_policies (
      function_name TEXT NOT NULL,
      qualifier TEXT NOT NULL,
      revision_id TEXT NOT NULL,
      statements TEXT NOT NULL,
      PRIMARY KEY (function_name, qualifier)
    ) STRICT;
  `,
};

/** One qualifier's asynchronous invocation settings; unset members are absent. */
export interface EventInvokeConfigRecord {
  readonly functionName: string;
  /** `$LATEST`, a version number or an alias name. */
  readonly qualifier: string;
  readonly maximumRetryAttempts?: number;
  readonly maximumEventAgeInSeconds?: number;
  readonly onSuccess?: string;
  readonly onFailure?: string;
  /** Milliseconds since the epoch. */
  readonly lastModified: number;
}

export interface StoredEventInvokeConfig extends EventInvokeConfigRecord {
  /** Creation order; the paging cursor of ListFunctionEventInvokeConfigs. */
  readonly seq: number;
}

/** The Cors member of a function URL config, as the request gave it. */
export interface FunctionUrlCors {
  readonly AllowCredentials?: boolean;
  readonly AllowHeaders?: readonly string[];
  readonly AllowMethods?: readonly string[];
  readonly AllowOrigins?: readonly string[];
  readonly ExposeHeaders?: readonly string[];
  readonly MaxAge?: number;
}

export type FunctionUrlAuthType = 'NONE' | 'AWS_IAM';
export type FunctionUrlInvokeMode = 'BUFFERED' | 'RESPONSE_STREAM';

export interface FunctionUrlRecord {
  readonly functionName: string;
  /** An alias name, or '' for the function itself. */
  readonly qualifier: string;
  /** The 32-character id in the URL's host name. */
  readonly urlId: string;
  readonly authType: FunctionUrlAuthType;
  readonly invokeMode: FunctionUrlInvokeMode;
  readonly cors?: FunctionUrlCors;
  readonly createdAt: number;
  readonly lastModified: number;
}

export interface StoredFunctionUrl extends FunctionUrlRecord {
  readonly seq: number;
}

/** A resource-based policy: its statements in the order they were added. */
export interface PolicyRecord {
  readonly functionName: string;
  /** A version number, an alias name, or '' for the function itself. */
  readonly qualifier: string;
  readonly revisionId: string;
  readonly statements: readonly JsonObject[];
}

/**
 * Durable storage of the three per-qualifier settings. Async so that a PostgreSQL
 * implementation fits the same shape; every method is one transaction.
 */
export interface FunctionConfigStore {
  /** Inserts or replaces a qualifier's config (a replaced config keeps its list position). */
  putEventInvokeConfig(record: EventInvokeConfigRecord): Promise<void>;
  getEventInvokeConfig(
    functionName: string,
    qualifier: string,
  ): Promise<StoredEventInvokeConfig | undefined>;
  /** In creation order, after the config with sequence `afterSeq` when given. */
  listEventInvokeConfigs(
    functionName: string,
    afterSeq: number | undefined,
    limit: number,
  ): Promise<StoredEventInvokeConfig[]>;
  /** False when there was none. */
  deleteEventInvokeConfig(functionName: string, qualifier: string): Promise<boolean>;

  /** False (and nothing changes) when the qualifier already has a URL config. */
  createFunctionUrl(record: FunctionUrlRecord): Promise<boolean>;
  getFunctionUrl(functionName: string, qualifier: string): Promise<StoredFunctionUrl | undefined>;
  getFunctionUrlById(urlId: string): Promise<StoredFunctionUrl | undefined>;
  /** Replaces the settings of an existing URL config; false when there is none. */
  updateFunctionUrl(record: FunctionUrlRecord): Promise<boolean>;
  deleteFunctionUrl(functionName: string, qualifier: string): Promise<boolean>;
  listFunctionUrls(
    functionName: string,
    afterSeq: number | undefined,
    limit: number,
  ): Promise<StoredFunctionUrl[]>;

  getPolicy(functionName: string, qualifier: string): Promise<PolicyRecord | undefined>;
  /**
   * Writes a policy if the stored one still has `expectedRevisionId` (undefined: if there is
   * none). False when another writer got there first.
   */
  putPolicy(record: PolicyRecord, expectedRevisionId: string | undefined): Promise<boolean>;
  /** Deletes a policy if it still has `expectedRevisionId`; false otherwise. */
  deletePolicy(
    functionName: string,
    qualifier: string,
    expectedRevisionId: string,
  ): Promise<boolean>;

  /** Every qualifier that has any of the three settings ('' for the unqualified function). */
  listQualifiers(functionName: string): Promise<string[]>;
  /** Drops all three settings of one qualifier (its alias or version is gone). */
  deleteQualifier(functionName: string, qualifier: string): Promise<void>;
  /** Drops everything stored for a function (it is gone). */
  deleteFunction(functionName: string): Promise<void>;
}

interface EventInvokeRow {
  seq: number;
  function_name: string;
  qualifier: string;
  config: string;
  last_modified: number;
}

interface EventInvokeSettings {
  maximumRetryAttempts?: number;
  maximumEventAgeInSeconds?: number;
  onSuccess?: string;
  onFailure?: string;
}

interface UrlRow {
  seq: number;
  function_name: string;
  qualifier: string;
  url_id: string;
  config: string;
  created_at: number;
  last_modified: number;
}

interface UrlSettings {
  authType: FunctionUrlAuthType;
  invokeMode: FunctionUrlInvokeMode;
  cors?: FunctionUrlCors;
}

interface PolicyRow {
  function_name: string;
  qualifier: string;
  revision_id: string;
  statements: string;
}

/** Runs synchronous database work, turning a thrown error into a rejection. */
function settle<T>(work: () => T): Promise<T> {
  try {
    return Promise.resolve(work());
  } catch (error) {
    return Promise.reject(error instanceof Error ? error : new Error(String(error)));
  }
}

function toEventInvokeConfig(row: EventInvokeRow): StoredEventInvokeConfig {
  const settings = JSON.parse(row.config) as EventInvokeSettings;
  return {
    seq: row.seq,
    functionName: row.function_name,
    qualifier: row.qualifier,
    lastModified: row.last_modified,
    ...settings,
  };
}

function toFunctionUrl(row: UrlRow): StoredFunctionUrl {
  const settings = JSON.parse(row.config) as UrlSettings;
  return {
    seq: row.seq,
    functionName: row.function_name,
    qualifier: row.qualifier,
    urlId: row.url_id,
    createdAt: row.created_at,
    lastModified: row.last_modified,
    ...settings,
  };
}

function toPolicy(row: PolicyRow): PolicyRecord {
  return {
    functionName: row.function_name,
    qualifier: row.qualifier,
    revisionId: row.revision_id,
    statements: JSON.parse(row.statements) as JsonObject[],
  };
}

function eventInvokeSettings(r: EventInvokeConfigRecord): string {
  const settings: EventInvokeSettings = {
    ...(r.maximumRetryAttempts !== undefined && { maximumRetryAttempts: r.maximumRetryAttempts }),
    ...(r.maximumEventAgeInSeconds !== undefined && {
      maximumEventAgeInSeconds: r.maximumEventAgeInSeconds,
    }),
    ...(r.onSuccess !== undefined && { onSuccess: r.onSuccess }),
    ...(r.onFailure !== undefined && { onFailure: r.onFailure }),
  };
  return JSON.stringify(settings);
}

function urlSettings(r: FunctionUrlRecord): string {
  const settings: UrlSettings = {
    authType: r.authType,
    invokeMode: r.invokeMode,
    ...(r.cors !== undefined && { cors: r.cors }),
  };
  return JSON.stringify(settings);
}

/** FunctionConfigStore on better-sqlite3; the database must have FUNCTION_CONFIG_MIGRATION applied. */
export class SqliteFunctionConfigStore implements FunctionConfigStore {
  readonly #putEvent: Statement<[string, string, string, number]>;
  readonly #getEvent: Statement<[string, string], EventInvokeRow>;
  readonly #listEvents: Statement<[string, number, number], EventInvokeRow>;
  readonly #deleteEvent: Statement<[string, string]>;
  readonly #insertUrl: Statement<[string, string, string, string, number, number]>;
  readonly #getUrl: Statement<[string, string], UrlRow>;
  readonly #getUrlById: Statement<[string], UrlRow>;
  readonly #updateUrl: Statement<[string, number, string, string]>;
  readonly #deleteUrl: Statement<[string, string]>;
  readonly #listUrls: Statement<[string, number, number], UrlRow>;
  readonly #getPolicy: Statement<[string, string], PolicyRow>;
  readonly #insertPolicy: Statement<[string, string, string, string]>;
  readonly #updatePolicy: Statement<[string, string, string, string, string]>;
  readonly #deletePolicy: Statement<[string, string, string]>;
  readonly #qualifiers: Statement<[string, string, string], { qualifier: string }>;
  readonly #deleteQualifier: (functionName: string, qualifier: string) => void;
  readonly #deleteFunction: (functionName: string) => void;

  constructor(db: Database) {
    this.#putEvent = db.prepare(
      `INSERT INTO event_invoke_configs (function_name, qualifier, config, last_modified)
       VALUES (?, ?, ?, ?)
       ON CONFLICT (function_name, qualifier)
       DO UPDATE SET config = excluded.config, last_modified = excluded.last_modified`,
    );
    this.#getEvent = db.prepare(
      'SELECT * FROM event_invoke_configs WHERE function_name = ? AND qualifier = ?',
    );
    this.#listEvents = db.prepare(
      'SELECT * FROM event_invoke_configs WHERE function_name = ? AND seq > ? ORDER BY seq LIMIT ?',
    );
    this.#deleteEvent = db.prepare(
      'DELETE FROM event_invoke_configs WHERE function_name = ? AND qualifier = ?',
    );
    this.#insertUrl = db.prepare(
      `INSERT INTO function_url_configs
         (function_name, qualifier, url_id, config, created_at, last_modified)
       VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT DO NOTHING`,
    );
    this.#getUrl = db.prepare(
      'SELECT * FROM function_url_configs WHERE function_name = ? AND qualifier = ?',
    );
    this.#getUrlById = db.prepare('SELECT * FROM function_url_configs WHERE url_id = ?');
    this.#updateUrl = db.prepare(
      `UPDATE function_url_configs SET config = ?, last_modified = ?
       WHERE function_name = ? AND qualifier = ?`,
    );
    this.#deleteUrl = db.prepare(
      'DELETE FROM function_url_configs WHERE function_name = ? AND qualifier = ?',
    );
    this.#listUrls = db.prepare(
      'SELECT * FROM function_url_configs WHERE function_name = ? AND seq > ? ORDER BY seq LIMIT ?',
    );
    this.#getPolicy = db.prepare(
      'SELECT * FROM function_policies WHERE function_name = ? AND qualifier = ?',
    );
    this.#insertPolicy = db.prepare(
      `INSERT INTO function_policies (function_name, qualifier, revision_id, statements)
       VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING`,
    );
    this.#updatePolicy = db.prepare(
      `UPDATE function_policies SET revision_id = ?, statements = ?
       WHERE function_name = ? AND qualifier = ? AND revision_id = ?`,
    );
    this.#deletePolicy = db.prepare(
      'DELETE FROM function_policies WHERE function_name = ? AND qualifier = ? AND revision_id = ?',
    );
    this.#qualifiers = db.prepare(
      `SELECT qualifier FROM event_invoke_configs WHERE function_name = ?
       UNION SELECT qualifier FROM function_url_configs WHERE function_name = ?
       UNION SELECT qualifier FROM function_policies WHERE function_name = ?`,
    );
    const byQualifier = ['event_invoke_configs', 'function_url_configs', 'function_policies'].map(
      (table) =>
        db.prepare<[string, string]>(
          `DELETE FROM ${table} WHERE function_name = ? AND qualifier = ?`,
        ),
    );
    const byFunction = ['event_invoke_configs', 'function_url_configs', 'function_policies'].map(
      (table) => db.prepare<[string]>(`DELETE FROM ${table} WHERE function_name = ?`),
    );
    this.#deleteQualifier = db.transaction((functionName: string, qualifier: string) => {
      for (const statement of byQualifier) {
        statement.run(functionName, qualifier);
      }
    });
    this.#deleteFunction = db.transaction((functionName: string) => {
      for (const statement of byFunction) {
        statement.run(functionName);
      }
    });
  }

  putEventInvokeConfig(record: EventInvokeConfigRecord): Promise<void> {
    return settle(() => {
      this.#putEvent.run(
        record.functionName,
        record.qualifier,
        eventInvokeSettings(record),
        record.lastModified,
      );
    });
  }

  getEventInvokeConfig(
    functionName: string,
    qualifier: string,
  ): Promise<StoredEventInvokeConfig | undefined> {
    return settle(() => {
      const row = this.#getEvent.get(functionName, qualifier);
      return row === undefined ? undefined : toEventInvokeConfig(row);
    });
  }

  listEventInvokeConfigs(
    functionName: string,
    afterSeq: number | undefined,
    limit: number,
  ): Promise<StoredEventInvokeConfig[]> {
    return settle(() =>
      this.#listEvents.all(functionName, afterSeq ?? 0, limit).map(toEventInvokeConfig),
    );
  }

  deleteEventInvokeConfig(functionName: string, qualifier: string): Promise<boolean> {
    return settle(() => this.#deleteEvent.run(functionName, qualifier).changes > 0);
  }

  createFunctionUrl(record: FunctionUrlRecord): Promise<boolean> {
    return settle(
      () =>
        this.#insertUrl.run(
          record.functionName,
          record.qualifier,
          record.urlId,
          urlSettings(record),
          record.createdAt,
          record.lastModified,
        ).changes > 0,
    );
  }

  getFunctionUrl(functionName: string, qualifier: string): Promise<StoredFunctionUrl | undefined> {
    return settle(() => {
      const row = this.#getUrl.get(functionName, qualifier);
      return row === undefined ? undefined : toFunctionUrl(row);
    });
  }

  getFunctionUrlById(urlId: string): Promise<StoredFunctionUrl | undefined> {
    return settle(() => {
      const row = this.#getUrlById.get(urlId);
      return row === undefined ? undefined : toFunctionUrl(row);
    });
  }

  updateFunctionUrl(record: FunctionUrlRecord): Promise<boolean> {
    return settle(
      () =>
        this.#updateUrl.run(
          urlSettings(record),
          record.lastModified,
          record.functionName,
          record.qualifier,
        ).changes > 0,
    );
  }

  deleteFunctionUrl(functionName: string, qualifier: string): Promise<boolean> {
    return settle(() => this.#deleteUrl.run(functionName, qualifier).changes > 0);
  }

  listFunctionUrls(
    functionName: string,
    afterSeq: number | undefined,
    limit: number,
  ): Promise<StoredFunctionUrl[]> {
    return settle(() => this.#listUrls.all(functionName, afterSeq ?? 0, limit).map(toFunctionUrl));
  }

  getPolicy(functionName: string, qualifier: string): Promise<PolicyRecord | undefined> {
    return settle(() => {
      const row = this.#getPolicy.get(functionName, qualifier);
      return row === undefined ? undefined : toPolicy(row);
    });
  }

  putPolicy(record: PolicyRecord, expectedRevisionId: string | undefined): Promise<boolean> {
    return settle(() => {
      const statements = JSON.stringify(record.statements);
      const result =
        expectedRevisionId === undefined
          ? this.#insertPolicy.run(
              record.functionName,
              record.qualifier,
              record.revisionId,
              statements,
            )
          : this.#updatePolicy.run(
              record.revisionId,
              statements,
              record.functionName,
              record.qualifier,
              expectedRevisionId,
            );
      return result.changes > 0;
    });
  }

  deletePolicy(
    functionName: string,
    qualifier: string,
    expectedRevisionId: string,
  ): Promise<boolean> {
    return settle(
      () => this.#deletePolicy.run(functionName, qualifier, expectedRevisionId).changes > 0,
    );
  }

  listQualifiers(functionName: string): Promise<string[]> {
    return settle(() =>
      this.#qualifiers.all(functionName, functionName, functionName).map((row) => row.qualifier),
    );
  }

  deleteQualifier(functionName: string, qualifier: string): Promise<void> {
    return settle(() => {
      this.#deleteQualifier(functionName, qualifier);
    });
  }

  deleteFunction(functionName: string): Promise<void> {
    return settle(() => {
      this.#deleteFunction(functionName);
    });
  }
}
