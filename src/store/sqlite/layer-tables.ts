/**
 * Layers in SQLite: `layers` keeps each name's last version number (so numbers are never reused
 * after a delete, as on AWS), `layer_versions` the published versions, and
 * `layer_version_statements` their resource policies, one row per statement in the order added.
 */
import type { Database, Statement } from 'better-sqlite3';
import type {
  AddStatementResult,
  LayerPolicyRecord,
  LayerStatementChange,
  LayerVersionFilter,
  LayerVersionRecord,
  ListLatestLayerVersionsQuery,
  ListLayerVersionsQuery,
  NewLayerVersion,
  RemoveStatementResult,
} from '../registry-types.js';
import type { Migration } from './migrations.js';

export const LAYERS_MIGRATION: Migration = {
  version: 11,
  name: 'layers',
  sql: `
    CREATE TABLE layers (
      name TEXT PRIMARY KEY,
      last_version INTEGER NOT NULL
    ) STRICT;

    CREATE TABLE layer_versions (
      layer_name TEXT NOT NULL REFERENCES layers (name),
      version INTEGER NOT NULL,
      description TEXT NOT NULL,
      created_at INTEGER NOT NULL,
      code_sha256 TEXT NOT NULL,
      code_size INTEGER NOT NULL,
      unzipped_size INTEGER NOT NULL,
      compatible_runtimes TEXT,
      compatible_architectures TEXT,
      license_info TEXT,
      policy_revision_id TEXT,
      PRIMARY KEY (layer_name, version)
    ) STRICT;
    CREATE INDEX layer_versions_by_code ON layer_versions (code_sha256);

    CREATE TABLE layer_version_statements (
      layer_name TEXT NOT NULL,
      version INTEGER NOT NULL,
      sid TEXT NOT NULL,
      position INTEGER NOT NULL,
      statement TEXT NOT NULL,
      PRIMARY KEY (layer_name, version, sid),
      FOREIGN KEY (layer_name, version)
        REFERENCES layer_versions (layer_name, version) ON DELETE CASCADE
    ) STRICT;
  `,
};

interface LayerVersionRow {
  layer_name: string;
  version: number;
  description: string;
  created_at: number;
  code_sha256: string;
  code_size: number;
  unzipped_size: number;
  compatible_runtimes: string | null;
  compatible_architectures: string | null;
  license_info: string | null;
}

const COLUMNS = `layer_name, version, description, created_at, code_sha256, code_size,
  unzipped_size, compatible_runtimes, compatible_architectures, license_info`;

/**
 * A version matches a filter value when it declares it; `''` stands for "no filter" (no runtime
 * or architecture is empty). `alias` names the layer_versions row being tested.
 */
function matching(alias: string): string {
  return `(? = '' OR EXISTS (SELECT 1 FROM json_each(${alias}.compatible_runtimes) WHERE value = ?))
    AND (? = '' OR EXISTS (SELECT 1 FROM json_each(${alias}.compatible_architectures) WHERE value = ?))`;
}

function filterParams(f: LayerVersionFilter): string[] {
  const runtime = f.compatibleRuntime ?? '';
  const architecture = f.compatibleArchitecture ?? '';
  return [runtime, runtime, architecture, architecture];
}

function toRecord(row: LayerVersionRow): LayerVersionRecord {
  return {
    layerName: row.layer_name,
    version: row.version,
    description: row.description,
    createdAt: row.created_at,
    codeSha256: row.code_sha256,
    codeSize: row.code_size,
    unzippedSize: row.unzipped_size,
    ...(row.compatible_runtimes !== null && {
      compatibleRuntimes: JSON.parse(row.compatible_runtimes) as string[],
    }),
    ...(row.compatible_architectures !== null && {
      compatibleArchitectures: JSON.parse(row.compatible_architectures) as string[],
    }),
    ...(row.license_info !== null && { licenseInfo: row.license_info }),
  };
}

function listJson(values: readonly string[] | undefined): string | null {
  return values === undefined ? null : JSON.stringify(values);
}

export class LayerTables {
  readonly #db: Database;
  readonly #nextVersion: Statement<[string], { last_version: number }>;
  readonly #insertVersion: Statement<(string | number | null)[]>;
  readonly #getVersion: Statement<[string, number], LayerVersionRow>;
  readonly #listVersions: Statement<(string | number)[], LayerVersionRow>;
  readonly #listLatest: Statement<(string | number)[], LayerVersionRow>;
  readonly #deleteVersion: Statement<[string, number]>;
  readonly #policyRevision: Statement<[string, number], { policy_revision_id: string | null }>;
  readonly #statements: Statement<
    [string, number],
    { sid: string; statement: string; position: number }
  >;
  readonly #insertStatement: Statement<[string, number, string, string, number]>;
  readonly #deleteStatement: Statement<[string, number, string]>;
  readonly #setRevision: Statement<[string, string, number]>;

  constructor(db: Database) {
    this.#db = db;
    this.#nextVersion = db.prepare(
      `INSERT INTO layers (name, last_version) VALUES (?, 1)
       ON CONFLICT (name) DO UPDATE SET last_version = last_version + 1
       RETURNING last_version`,
    );
    this.#insertVersion = db.prepare(
      `INSERT INTO layer_versions (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.#getVersion = db.prepare(
      `SELECT ${COLUMNS} FROM layer_versions WHERE layer_name = ? AND version = ?`,
    );
    this.#listVersions = db.prepare(
      `SELECT ${COLUMNS} FROM layer_versions v
       WHERE layer_name = ? AND version < ? AND ${matching('v')}
       ORDER BY version DESC LIMIT ?`,
    );
    this.#listLatest = db.prepare(
      `SELECT ${COLUMNS} FROM layer_versions v
       WHERE layer_name > ? AND ${matching('v')}
         AND version = (SELECT max(w.version) FROM layer_versions w
                        WHERE w.layer_name = v.layer_name AND ${matching('w')})
       ORDER BY layer_name LIMIT ?`,
    );
    this.#deleteVersion = db.prepare(
      'DELETE FROM layer_versions WHERE layer_name = ? AND version = ?',
    );
    this.#policyRevision = db.prepare(
      'SELECT policy_revision_id FROM layer_versions WHERE layer_name = ? AND version = ?',
    );
    this.#statements = db.prepare(
      `SELECT sid, statement, position FROM layer_version_statements
       WHERE layer_name = ? AND version = ? ORDER BY position`,
    );
    this.#insertStatement = db.prepare(
      `INSERT INTO layer_version_statements (layer_name, version, sid, statement, position)
       VALUES (?, ?, ?, ?, ?)`,
    );
    this.#deleteStatement = db.prepare(
      'DELETE FROM layer_version_statements WHERE layer_name = ? AND version = ? AND sid = ?',
    );
    this.#setRevision = db.prepare(
      'UPDATE layer_versions SET policy_revision_id = ? WHERE layer_name = ? AND version = ?',
    );
  }

  publish(layer: NewLayerVersion): number {
    return this.#db
      .transaction(() => {
        const version = this.#nextVersion.get(layer.layerName)?.last_version ?? 1;
        this.#insertVersion.run(
          layer.layerName,
          version,
          layer.description,
          layer.createdAt,
          layer.codeSha256,
          layer.codeSize,
          layer.unzippedSize,
          listJson(layer.compatibleRuntimes),
          listJson(layer.compatibleArchitectures),
          layer.licenseInfo ?? null,
        );
        return version;
      })
      .immediate();
  }

  get(layerName: string, version: number): LayerVersionRecord | undefined {
    const row = this.#getVersion.get(layerName, version);
    return row && toRecord(row);
  }

  listVersions(q: ListLayerVersionsQuery): LayerVersionRecord[] {
    return this.#listVersions
      .all(
        q.layerName,
        q.before ?? Number.MAX_SAFE_INTEGER,
        ...filterParams(q),
        Math.max(0, Math.floor(q.limit)),
      )
      .map(toRecord);
  }

  listLatest(q: ListLatestLayerVersionsQuery): LayerVersionRecord[] {
    return this.#listLatest
      .all(q.after ?? '', ...filterParams(q), ...filterParams(q), Math.max(0, Math.floor(q.limit)))
      .map(toRecord);
  }

  delete(layerName: string, version: number): boolean {
    return this.#deleteVersion.run(layerName, version).changes === 1;
  }

  policy(layerName: string, version: number): LayerPolicyRecord | undefined {
    const row = this.#policyRevision.get(layerName, version);
    if (!row) {
      return undefined;
    }
    const statements = this.#statements.all(layerName, version).map((r) => r.statement);
    return row.policy_revision_id === null
      ? { statements }
      : { statements, revisionId: row.policy_revision_id };
  }

  addStatement(c: LayerStatementChange, statement: string): AddStatementResult {
    return this.#db
      .transaction((): AddStatementResult => {
        const row = this.#policyRevision.get(c.layerName, c.version);
        if (!row) {
          return 'not-found';
        }
        const existing = this.#statements.all(c.layerName, c.version);
        if (existing.some((s) => s.sid === c.statementId)) {
          return 'exists';
        }
        if (c.expectedRevisionId !== undefined && c.expectedRevisionId !== row.policy_revision_id) {
          return 'revision-mismatch';
        }
        this.#insertStatement.run(
          c.layerName,
          c.version,
          c.statementId,
          statement,
          (existing.at(-1)?.position ?? 0) + 1,
        );
        this.#setRevision.run(c.newRevisionId, c.layerName, c.version);
        return 'added';
      })
      .immediate();
  }

  removeStatement(c: LayerStatementChange): RemoveStatementResult {
    return this.#db
      .transaction((): RemoveStatementResult => {
        const row = this.#policyRevision.get(c.layerName, c.version);
        if (!row) {
          return 'not-found';
        }
        if (c.expectedRevisionId !== undefined && c.expectedRevisionId !== row.policy_revision_id) {
          return 'revision-mismatch';
        }
        if (this.#deleteStatement.run(c.layerName, c.version, c.statementId).changes === 0) {
          return 'no-statement';
        }
        this.#setRevision.run(c.newRevisionId, c.layerName, c.version);
        return 'removed';
      })
      .immediate();
  }
}
