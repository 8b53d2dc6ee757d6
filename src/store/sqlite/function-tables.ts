import type { Database, Statement } from 'better-sqlite3';
import {
  LATEST,
  type AccountUsageRecord,
  type FunctionVersionRecord,
  type JsonObject,
  type ListFunctionVersionsQuery,
  type TagResult,
  type TaggedResource,
} from '../types.js';
import type { SecretBox } from '../secret-box.js';

interface VersionRow {
  function_name: string;
  version: string;
  revision_id: string;
  code_sha256: string;
  code_size: number;
  config: string;
}

const VERSION_COLUMNS = 'function_name, version, revision_id, code_sha256, code_size, config';

/** `$LATEST` sorts first (0); published versions by number. */
function versionNumber(version: string): number {
  return version === LATEST ? 0 : Number(version);
}

/** The stored form of a configuration: its `secrets` member (see FunctionVersionRecord) sealed. */
function sealConfig(box: SecretBox, config: JsonObject): string {
  const { secrets } = config;
  return JSON.stringify(
    secrets === undefined ? config : { ...config, secrets: box.seal(JSON.stringify(secrets)) },
  );
}

function openConfig(box: SecretBox, stored: string): JsonObject {
  const config = JSON.parse(stored) as JsonObject;
  const { secrets } = config;
  return typeof secrets === 'string'
    ? { ...config, secrets: JSON.parse(box.open(secrets)) as JsonObject }
    : config;
}

/** Functions, their versions and tags in SQLite. */
export class FunctionTables {
  readonly #db: Database;
  readonly #secrets: SecretBox;
  /** One prepared listing per combination of filters. */
  readonly #listings = new Map<string, Statement<(string | number)[], VersionRow>>();
  readonly #insertFunction: Statement<[string, number]>;
  readonly #insertVersion: Statement<[string, string, number, string, string, number, string]>;
  readonly #getVersion: Statement<[string, string], VersionRow>;
  readonly #replaceVersion: Statement<[string, string, number, string, string, string, string]>;
  readonly #nextVersion: Statement<[string], { last_version: number }>;
  readonly #deleteFunction: Statement<[string]>;
  readonly #deleteVersion: Statement<[string, string]>;
  readonly #deleteVersionConfig: Statement<[string, string]>;
  readonly #functionExists: Statement<[string], { found: number }>;
  readonly #referencedCode: Statement<[], { code_sha256: string }>;
  readonly #getTags: Statement<[string, string], { key: string; value: string }>;
  readonly #putTag: Statement<[string, string, string, string]>;
  readonly #deleteTag: Statement<[string, string, string]>;
  readonly #deleteAllTags: Statement<[string, string]>;
  readonly #usage: Statement<[], { function_count: number; total_code_size: number }>;

  constructor(db: Database, secrets: SecretBox) {
    this.#db = db;
    this.#secrets = secrets;
    this.#insertFunction = db.prepare(
      'INSERT INTO functions (name, created_at) VALUES (?, ?) ON CONFLICT DO NOTHING',
    );
    this.#insertVersion = db.prepare(
      `INSERT INTO function_versions
         (function_name, version, version_number, revision_id, code_sha256, code_size, config)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    );
    this.#getVersion = db.prepare(
      `SELECT ${VERSION_COLUMNS} FROM function_versions WHERE function_name = ? AND version = ?`,
    );
    this.#replaceVersion = db.prepare(
      `UPDATE function_versions SET revision_id = ?, code_sha256 = ?, code_size = ?, config = ?
       WHERE function_name = ? AND version = ? AND revision_id = ?`,
    );
    this.#nextVersion = db.prepare(
      'UPDATE functions SET last_version = last_version + 1 WHERE name = ? RETURNING last_version',
    );
    this.#deleteFunction = db.prepare('DELETE FROM functions WHERE name = ?');
    this.#deleteVersion = db.prepare(
      'DELETE FROM function_versions WHERE function_name = ? AND version = ?',
    );
    this.#deleteVersionConfig = db.prepare(
      'DELETE FROM provisioned_concurrency WHERE function_name = ? AND qualifier = ?',
    );
    this.#functionExists = db.prepare('SELECT count(*) AS found FROM functions WHERE name = ?');
    // Layer packages count too: a layer version keeps its package until it is deleted.
    this.#referencedCode = db.prepare(
      'SELECT code_sha256 FROM function_versions UNION SELECT code_sha256 FROM layer_versions',
    );
    this.#getTags = db.prepare(
      'SELECT key, value FROM tags WHERE resource_kind = ? AND resource_id = ? ORDER BY key',
    );
    this.#putTag = db.prepare(
      `INSERT INTO tags (resource_kind, resource_id, key, value) VALUES (?, ?, ?, ?)
       ON CONFLICT (resource_kind, resource_id, key) DO UPDATE SET value = excluded.value`,
    );
    this.#deleteTag = db.prepare(
      'DELETE FROM tags WHERE resource_kind = ? AND resource_id = ? AND key = ?',
    );
    this.#deleteAllTags = db.prepare(
      'DELETE FROM tags WHERE resource_kind = ? AND resource_id = ?',
    );
    this.#usage = db.prepare(
      `SELECT (SELECT count(*) FROM functions) AS function_count,
              (SELECT coalesce(sum(code_size), 0) FROM function_versions)
                + (SELECT coalesce(sum(code_size), 0) FROM layer_versions) AS total_code_size`,
    );
  }

  createFunction(
    latest: FunctionVersionRecord,
    createdAt: number,
    tags: Readonly<Record<string, string>>,
  ): boolean {
    return this.#db
      .transaction(() => {
        if (this.#insertFunction.run(latest.functionName, createdAt).changes === 0) {
          return false;
        }
        this.#insert(latest);
        for (const [key, value] of Object.entries(tags)) {
          this.#putTag.run('function', latest.functionName, key, value);
        }
        return true;
      })
      .immediate();
  }

  getVersion(functionName: string, version: string): FunctionVersionRecord | undefined {
    const row = this.#getVersion.get(functionName, version);
    return row && this.#toRecord(row);
  }

  listVersions(q: ListFunctionVersionsQuery): FunctionVersionRecord[] {
    const where: string[] = [];
    const params: (string | number)[] = [];
    if (q.functionName !== undefined) {
      where.push('function_name = ?');
      params.push(q.functionName);
    }
    if (q.versions === 'latest') {
      where.push('version_number = 0');
    }
    if (q.after) {
      where.push('(function_name > ? OR (function_name = ? AND version_number > ?))');
      params.push(q.after.functionName, q.after.functionName, q.after.versionNumber);
    }
    params.push(Math.max(0, Math.floor(q.limit)));
    const filter = where.length > 0 ? `WHERE ${where.join(' AND ')}` : '';
    let statement = this.#listings.get(filter);
    if (!statement) {
      statement = this.#db.prepare<(string | number)[], VersionRow>(
        `SELECT ${VERSION_COLUMNS} FROM function_versions ${filter}
         ORDER BY function_name, version_number LIMIT ?`,
      );
      this.#listings.set(filter, statement);
    }
    return statement.all(...params).map((row) => this.#toRecord(row));
  }

  replaceVersion(record: FunctionVersionRecord, expectedRevisionId: string): boolean {
    const result = this.#replaceVersion.run(
      record.revisionId,
      record.codeSha256,
      record.codeSize,
      sealConfig(this.#secrets, record.config),
      record.functionName,
      record.version,
      expectedRevisionId,
    );
    return result.changes === 1;
  }

  publishVersion(
    functionName: string,
    source: Omit<FunctionVersionRecord, 'functionName' | 'version'>,
  ): string | undefined {
    return this.#db
      .transaction(() => {
        const row = this.#nextVersion.get(functionName);
        if (!row) {
          return undefined;
        }
        const version = String(row.last_version);
        this.#insert({ ...source, functionName, version });
        return version;
      })
      .immediate();
  }

  deleteFunction(functionName: string): boolean {
    return this.#db
      .transaction(() => {
        this.#deleteAllTags.run('function', functionName);
        return this.#deleteFunction.run(functionName).changes === 1;
      })
      .immediate();
  }

  deleteVersion(functionName: string, version: string): boolean {
    return this.#db
      .transaction(() => {
        this.#deleteVersionConfig.run(functionName, version);
        return this.#deleteVersion.run(functionName, version).changes === 1;
      })
      .immediate();
  }

  referencedCode(): Set<string> {
    return new Set(this.#referencedCode.all().map((r) => r.code_sha256));
  }

  getTags(resource: TaggedResource): Record<string, string> | undefined {
    if (!this.#exists(resource)) {
      return undefined;
    }
    return Object.fromEntries(
      this.#getTags.all(resource.kind, resource.id).map((r) => [r.key, r.value]),
    );
  }

  tagResource(
    resource: TaggedResource,
    tags: Readonly<Record<string, string>>,
    maxTags: number,
  ): TagResult {
    return this.#db
      .transaction((): TagResult => {
        if (!this.#exists(resource)) {
          return 'not-found';
        }
        const keys = new Set(this.#getTags.all(resource.kind, resource.id).map((r) => r.key));
        for (const key of Object.keys(tags)) {
          keys.add(key);
        }
        if (keys.size > maxTags) {
          return 'too-many-tags';
        }
        for (const [key, value] of Object.entries(tags)) {
          this.#putTag.run(resource.kind, resource.id, key, value);
        }
        return 'tagged';
      })
      .immediate();
  }

  untagResource(resource: TaggedResource, keys: readonly string[]): boolean {
    return this.#db
      .transaction(() => {
        if (!this.#exists(resource)) {
          return false;
        }
        for (const key of keys) {
          this.#deleteTag.run(resource.kind, resource.id, key);
        }
        return true;
      })
      .immediate();
  }

  usage(): AccountUsageRecord {
    const row = this.#usage.get();
    return { functionCount: row?.function_count ?? 0, totalCodeSize: row?.total_code_size ?? 0 };
  }

  #toRecord(row: VersionRow): FunctionVersionRecord {
    return {
      functionName: row.function_name,
      version: row.version,
      revisionId: row.revision_id,
      codeSha256: row.code_sha256,
      codeSize: row.code_size,
      config: openConfig(this.#secrets, row.config),
    };
  }

  #insert(record: FunctionVersionRecord): void {
    this.#insertVersion.run(
      record.functionName,
      record.version,
      versionNumber(record.version),
      record.revisionId,
      record.codeSha256,
      record.codeSize,
      sealConfig(this.#secrets, record.config),
    );
  }

  #exists(resource: TaggedResource): boolean {
    return (this.#functionExists.get(resource.id)?.found ?? 0) > 0;
  }
}
