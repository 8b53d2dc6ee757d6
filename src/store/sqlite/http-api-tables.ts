/**
 * API Gateway v2 HTTP APIs in the shared SQLite database: one row per API and one per resource
 * in it (route, integration, stage, deployment), each the resource's JSON document. The service
 * keeps everything in memory and reads the tables only on start.
 */
import type { Database, Statement } from 'better-sqlite3';
import type {
  ApiRecord,
  DeploymentRecord,
  HttpApiChange,
  HttpApiStore,
  IntegrationRecord,
  RouteRecord,
  StageRecord,
  StoredApi,
} from '../../control/http-apis/types.js';
import type { Migration } from './migrations.js';

export const HTTP_APIS_MIGRATION: Migration = {
  version: 40,
  name: 'API Gateway v2 HTTP APIs and their routes, integrations, stages and deployments',
  sql: `
    CREATE TABLE http_apis (
      api_id TEXT PRIMARY KEY,
      document TEXT NOT NULL
    ) STRICT;

    CREATE TABLE http_api_resources (
      api_id TEXT NOT NULL REFERENCES http_apis (api_id) ON DELETE CASCADE,
      kind TEXT NOT NULL,
      id TEXT NOT NULL,
      document TEXT NOT NULL,
      PRIMARY KEY (api_id, kind, id)
    ) STRICT;
  `,
};

interface ResourceRow {
  api_id: string;
  kind: string;
  document: string;
}

/** HttpApiStore on better-sqlite3 (HTTP_APIS_MIGRATION applied). */
export class SqliteHttpApiStore implements HttpApiStore {
  readonly #db: Database;
  readonly #putApi: Statement<[string, string]>;
  readonly #deleteApi: Statement<[string]>;
  readonly #deleteResources: Statement<[string]>;
  readonly #put: Statement<[string, string, string, string]>;
  readonly #delete: Statement<[string, string, string]>;

  constructor(db: Database) {
    this.#db = db;
    this.#putApi = db.prepare(
      'INSERT INTO http_apis (api_id, document) VALUES (?, ?) ON CONFLICT (api_id) DO UPDATE SET document = excluded.document',
    );
    this.#deleteApi = db.prepare('DELETE FROM http_apis WHERE api_id = ?');
    // Explicit, so deletion does not depend on the connection's foreign_keys setting.
    this.#deleteResources = db.prepare('DELETE FROM http_api_resources WHERE api_id = ?');
    this.#put = db.prepare(
      'INSERT INTO http_api_resources (api_id, kind, id, document) VALUES (?, ?, ?, ?) ON CONFLICT (api_id, kind, id) DO UPDATE SET document = excluded.document',
    );
    this.#delete = db.prepare(
      'DELETE FROM http_api_resources WHERE api_id = ? AND kind = ? AND id = ?',
    );
  }

  load(): Promise<StoredApi[]> {
    const apis = this.#db
      .prepare<[], { document: string }>('SELECT document FROM http_apis ORDER BY api_id')
      .all()
      .map((row) => ({
        api: JSON.parse(row.document) as ApiRecord,
        routes: [] as RouteRecord[],
        integrations: [] as IntegrationRecord[],
        stages: [] as StageRecord[],
        deployments: [] as DeploymentRecord[],
      }));
    const byId = new Map(apis.map((a) => [a.api.apiId, a]));
    const rows = this.#db
      .prepare<[], ResourceRow>('SELECT api_id, kind, document FROM http_api_resources')
      .all();
    for (const row of rows) {
      const stored = byId.get(row.api_id);
      const document: unknown = JSON.parse(row.document);
      switch (row.kind) {
        case 'route':
          stored?.routes.push(document as RouteRecord);
          break;
        case 'integration':
          stored?.integrations.push(document as IntegrationRecord);
          break;
        case 'stage':
          stored?.stages.push(document as StageRecord);
          break;
        case 'deployment':
          stored?.deployments.push(document as DeploymentRecord);
          break;
        default:
          throw new Error(`http_api_resources has a row of unknown kind '${row.kind}'`);
      }
    }
    return Promise.resolve(apis);
  }

  commit(changes: readonly HttpApiChange[]): Promise<void> {
    try {
      this.#db
        .transaction(() => {
          for (const change of changes) {
            this.#apply(change);
          }
        })
        .immediate();
      return Promise.resolve();
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }

  #apply(change: HttpApiChange): void {
    switch (change.op) {
      case 'putApi':
        this.#putApi.run(change.api.apiId, JSON.stringify(change.api));
        return;
      case 'deleteApi':
        this.#deleteResources.run(change.apiId);
        this.#deleteApi.run(change.apiId);
        return;
      case 'put':
        this.#put.run(change.apiId, change.kind, change.id, JSON.stringify(change.record));
        return;
      case 'delete':
        this.#delete.run(change.apiId, change.kind, change.id);
        return;
    }
  }
}
