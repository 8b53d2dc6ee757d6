/**
 * Aliases, reserved concurrency and provisioned concurrency configs in SQLite. Aliases and
 * configs hang off `functions` with ON DELETE CASCADE, so deleting a function removes them in the
 * same statement; reserved concurrency is a column of the function's own row.
 */
import type { Database, Statement } from 'better-sqlite3';
import type {
  AliasRecord,
  CreateAliasResult,
  ListAliasesQuery,
  ListProvisionedConcurrencyQuery,
  ProvisionedConcurrencyRecord,
  ProvisionedConcurrencyStatus,
  ReservedConcurrencyResult,
} from '../registry-types.js';
import type { Migration } from './migrations.js';

export const ALIASES_MIGRATION: Migration = {
  version: 10,
  name: 'aliases, reserved and provisioned concurrency',
  sql: `
    ALTER TABLE functions ADD COLUMN reserved_concurrency INTEGER;

    CREATE TABLE aliases (
      function_name TEXT NOT NULL REFERENCES functions (name) ON DELETE CASCADE,
      name TEXT NOT NULL,
      function_version TEXT NOT NULL,
      description TEXT NOT NULL,
      weights TEXT NOT NULL,
      revision_id TEXT NOT NULL,
      PRIMARY KEY (function_name, name)
    ) STRICT;

    CREATE TABLE provisioned_concurrency (
      function_name TEXT NOT NULL REFERENCES functions (name) ON DELETE CASCADE,
      qualifier TEXT NOT NULL,
      requested INTEGER NOT NULL,
      allocated INTEGER NOT NULL,
      available INTEGER NOT NULL,
      status TEXT NOT NULL,
      status_reason TEXT,
      last_modified INTEGER NOT NULL,
      PRIMARY KEY (function_name, qualifier)
    ) STRICT;
  `,
};

interface AliasRow {
  function_name: string;
  name: string;
  function_version: string;
  description: string;
  weights: string;
  revision_id: string;
}

interface ProvisionedRow {
  function_name: string;
  qualifier: string;
  requested: number;
  allocated: number;
  available: number;
  status: string;
  status_reason: string | null;
  last_modified: number;
}

const ALIAS_COLUMNS = 'function_name, name, function_version, description, weights, revision_id';
const PROVISIONED_COLUMNS =
  'function_name, qualifier, requested, allocated, available, status, status_reason, last_modified';

function toAlias(row: AliasRow): AliasRecord {
  return {
    functionName: row.function_name,
    name: row.name,
    functionVersion: row.function_version,
    description: row.description,
    additionalVersionWeights: JSON.parse(row.weights) as Record<string, number>,
    revisionId: row.revision_id,
  };
}

function toProvisioned(row: ProvisionedRow): ProvisionedConcurrencyRecord {
  return {
    functionName: row.function_name,
    qualifier: row.qualifier,
    requested: row.requested,
    allocated: row.allocated,
    available: row.available,
    status: row.status as ProvisionedConcurrencyStatus,
    ...(row.status_reason !== null && { statusReason: row.status_reason }),
    lastModified: row.last_modified,
  };
}

export class AliasTables {
  readonly #db: Database;
  readonly #functionExists: Statement<[string], { found: number }>;
  readonly #lastVersion: Statement<[string], { last_version: number }>;
  readonly #insertAlias: Statement<[string, string, string, string, string, string]>;
  readonly #getAlias: Statement<[string, string], AliasRow>;
  readonly #listAliases: Statement<[string, string, string, string, number], AliasRow>;
  readonly #replaceAlias: Statement<[string, string, string, string, string, string, string]>;
  readonly #deleteAlias: Statement<[string, string]>;
  readonly #getReserved: Statement<[string], { reserved_concurrency: number | null }>;
  readonly #otherReserved: Statement<[string], { total: number }>;
  readonly #setReserved: Statement<[number | null, string]>;
  readonly #totalReserved: Statement<[], { total: number }>;
  readonly #putProvisioned: Statement<
    [string, string, number, number, number, string, string | null, number]
  >;
  readonly #getProvisioned: Statement<[string, string], ProvisionedRow>;
  readonly #listProvisioned: Statement<[string, string, string, number], ProvisionedRow>;
  readonly #listAllProvisioned: Statement<[number], ProvisionedRow>;
  readonly #deleteProvisioned: Statement<[string, string]>;

  constructor(db: Database) {
    this.#db = db;
    this.#functionExists = db.prepare('SELECT count(*) AS found FROM functions WHERE name = ?');
    this.#lastVersion = db.prepare('SELECT last_version FROM functions WHERE name = ?');
    this.#insertAlias = db.prepare(
      `INSERT INTO aliases (${ALIAS_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
    );
    this.#getAlias = db.prepare(
      `SELECT ${ALIAS_COLUMNS} FROM aliases WHERE function_name = ? AND name = ?`,
    );
    // The empty string stands for "no filter": neither a version nor an alias name is empty.
    this.#listAliases = db.prepare(
      `SELECT ${ALIAS_COLUMNS} FROM aliases
       WHERE function_name = ? AND (? = '' OR function_version = ?) AND name > ?
       ORDER BY name LIMIT ?`,
    );
    this.#replaceAlias = db.prepare(
      `UPDATE aliases SET function_version = ?, description = ?, weights = ?, revision_id = ?
       WHERE function_name = ? AND name = ? AND revision_id = ?`,
    );
    this.#deleteAlias = db.prepare('DELETE FROM aliases WHERE function_name = ? AND name = ?');
    this.#getReserved = db.prepare('SELECT reserved_concurrency FROM functions WHERE name = ?');
    this.#otherReserved = db.prepare(
      'SELECT coalesce(sum(reserved_concurrency), 0) AS total FROM functions WHERE name <> ?',
    );
    this.#setReserved = db.prepare('UPDATE functions SET reserved_concurrency = ? WHERE name = ?');
    this.#totalReserved = db.prepare(
      'SELECT coalesce(sum(reserved_concurrency), 0) AS total FROM functions',
    );
    this.#putProvisioned = db.prepare(
      `INSERT INTO provisioned_concurrency (${PROVISIONED_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (function_name, qualifier) DO UPDATE SET
         requested = excluded.requested, allocated = excluded.allocated,
         available = excluded.available, status = excluded.status,
         status_reason = excluded.status_reason, last_modified = excluded.last_modified`,
    );
    this.#getProvisioned = db.prepare(
      `SELECT ${PROVISIONED_COLUMNS} FROM provisioned_concurrency
       WHERE function_name = ? AND qualifier = ?`,
    );
    this.#listProvisioned = db.prepare(
      `SELECT ${PROVISIONED_COLUMNS} FROM provisioned_concurrency
       WHERE function_name = ? AND (? = '' OR qualifier > ?) ORDER BY qualifier LIMIT ?`,
    );
    this.#listAllProvisioned = db.prepare(
      `SELECT ${PROVISIONED_COLUMNS} FROM provisioned_concurrency
       ORDER BY function_name, qualifier LIMIT ?`,
    );
    this.#deleteProvisioned = db.prepare(
      'DELETE FROM provisioned_concurrency WHERE function_name = ? AND qualifier = ?',
    );
  }

  lastPublishedVersion(functionName: string): number | undefined {
    return this.#lastVersion.get(functionName)?.last_version;
  }

  createAlias(alias: AliasRecord): CreateAliasResult {
    return this.#db
      .transaction((): CreateAliasResult => {
        if (!this.#exists(alias.functionName)) {
          return 'no-function';
        }
        const inserted = this.#insertAlias.run(
          alias.functionName,
          alias.name,
          alias.functionVersion,
          alias.description,
          JSON.stringify(alias.additionalVersionWeights),
          alias.revisionId,
        );
        return inserted.changes === 1 ? 'created' : 'exists';
      })
      .immediate();
  }

  getAlias(functionName: string, name: string): AliasRecord | undefined {
    const row = this.#getAlias.get(functionName, name);
    return row && toAlias(row);
  }

  listAliases(q: ListAliasesQuery): AliasRecord[] {
    const version = q.functionVersion ?? '';
    return this.#listAliases
      .all(q.functionName, version, version, q.after ?? '', Math.max(0, Math.floor(q.limit)))
      .map(toAlias);
  }

  replaceAlias(alias: AliasRecord, expectedRevisionId: string): boolean {
    const result = this.#replaceAlias.run(
      alias.functionVersion,
      alias.description,
      JSON.stringify(alias.additionalVersionWeights),
      alias.revisionId,
      alias.functionName,
      alias.name,
      expectedRevisionId,
    );
    return result.changes === 1;
  }

  deleteAlias(functionName: string, name: string): boolean {
    return this.#db
      .transaction(() => {
        this.#deleteProvisioned.run(functionName, name);
        return this.#deleteAlias.run(functionName, name).changes === 1;
      })
      .immediate();
  }

  getReservedConcurrency(functionName: string): number | null | undefined {
    return this.#getReserved.get(functionName)?.reserved_concurrency;
  }

  putReservedConcurrency(
    functionName: string,
    value: number,
    maxTotal: number,
  ): ReservedConcurrencyResult {
    return this.#db
      .transaction((): ReservedConcurrencyResult => {
        if (!this.#exists(functionName)) {
          return 'not-found';
        }
        const others = this.#otherReserved.get(functionName)?.total ?? 0;
        if (others + value > maxTotal) {
          return 'exceeds';
        }
        this.#setReserved.run(value, functionName);
        return 'set';
      })
      .immediate();
  }

  deleteReservedConcurrency(functionName: string): boolean {
    return this.#setReserved.run(null, functionName).changes === 1;
  }

  totalReservedConcurrency(): number {
    return this.#totalReserved.get()?.total ?? 0;
  }

  putProvisioned(r: ProvisionedConcurrencyRecord): boolean {
    return this.#db
      .transaction(() => {
        if (!this.#exists(r.functionName)) {
          return false;
        }
        this.#putProvisioned.run(
          r.functionName,
          r.qualifier,
          r.requested,
          r.allocated,
          r.available,
          r.status,
          r.statusReason ?? null,
          r.lastModified,
        );
        return true;
      })
      .immediate();
  }

  getProvisioned(
    functionName: string,
    qualifier: string,
  ): ProvisionedConcurrencyRecord | undefined {
    const row = this.#getProvisioned.get(functionName, qualifier);
    return row && toProvisioned(row);
  }

  listProvisioned(q: ListProvisionedConcurrencyQuery): ProvisionedConcurrencyRecord[] {
    const limit = Math.max(0, Math.floor(q.limit));
    const rows =
      q.functionName === undefined
        ? this.#listAllProvisioned.all(limit)
        : this.#listProvisioned.all(q.functionName, q.after ?? '', q.after ?? '', limit);
    return rows.map(toProvisioned);
  }

  deleteProvisioned(functionName: string, qualifier: string): boolean {
    return this.#deleteProvisioned.run(functionName, qualifier).changes === 1;
  }

  #exists(functionName: string): boolean {
    return (this.#functionExists.get(functionName)?.found ?? 0) > 0;
  }
}
