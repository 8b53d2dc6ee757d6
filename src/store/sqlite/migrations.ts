import type { Database } from 'better-sqlite3';
import { ALIASES_MIGRATION } from './alias-tables.js';
import {
  ASYNC_EVENTS_BY_FUNCTION_MIGRATION,
  ASYNC_EVENTS_MIGRATION,
} from './async-event-tables.js';
import { ESM_MIGRATION } from './esm-tables.js';
import { FUNCTION_CONFIG_MIGRATION } from './function-config-tables.js';
import { HTTP_APIS_MIGRATION } from './http-api-tables.js';
import { LAYERS_MIGRATION } from './layer-tables.js';
import { TARGET_GROUPS_MIGRATION } from './target-group-tables.js';

/** A numbered schema change; applied once, in order, each in its own transaction. */
export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

/**
 * The SQLite schema, oldest first. Never edit an applied migration: add a new one.
 *
 * functions / function_versions hold `$LATEST` and (later) published versions side by side,
 * keyed by (function name, version), so publishing is an insert of a copied row and
 * `last_version` keeps version numbers from ever being reused after a delete.
 */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'functions, versions and tags',
    sql: `
      CREATE TABLE functions (
        name TEXT PRIMARY KEY,
        created_at INTEGER NOT NULL,
        last_version INTEGER NOT NULL DEFAULT 0
      ) STRICT;

      CREATE TABLE function_versions (
        function_name TEXT NOT NULL REFERENCES functions (name) ON DELETE CASCADE,
        version TEXT NOT NULL,
        version_number INTEGER NOT NULL,
        revision_id TEXT NOT NULL,
        code_sha256 TEXT NOT NULL,
        code_size INTEGER NOT NULL,
        config TEXT NOT NULL,
        PRIMARY KEY (function_name, version)
      ) STRICT;
      CREATE UNIQUE INDEX function_versions_by_number
        ON function_versions (function_name, version_number);
      CREATE INDEX function_versions_by_code ON function_versions (code_sha256);

      CREATE TABLE tags (
        resource_kind TEXT NOT NULL,
        resource_id TEXT NOT NULL,
        key TEXT NOT NULL,
        value TEXT NOT NULL,
        PRIMARY KEY (resource_kind, resource_id, key)
      ) STRICT;
    `,
  },
  {
    version: 2,
    name: 'log events',
    sql: `
      CREATE TABLE log_events (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        log_group TEXT NOT NULL,
        log_stream TEXT NOT NULL,
        timestamp INTEGER NOT NULL,
        message TEXT NOT NULL,
        ingestion_time INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX log_events_by_group ON log_events (log_group, id);
      CREATE INDEX log_events_by_stream ON log_events (log_group, log_stream, id);

      CREATE TABLE log_streams (
        log_group TEXT NOT NULL,
        log_stream TEXT NOT NULL,
        first_event_timestamp INTEGER NOT NULL,
        last_event_timestamp INTEGER NOT NULL,
        PRIMARY KEY (log_group, log_stream)
      ) STRICT;
    `,
  },
  ASYNC_EVENTS_MIGRATION,
  ASYNC_EVENTS_BY_FUNCTION_MIGRATION,
  ALIASES_MIGRATION,
  LAYERS_MIGRATION,
  FUNCTION_CONFIG_MIGRATION,
  ESM_MIGRATION,
  HTTP_APIS_MIGRATION,
  TARGET_GROUPS_MIGRATION,
];

/**
 * Brings the database up to the newest migration. Refuses a database written by a newer
 * Fogbank (a version it does not know), rather than running against a schema it cannot read.
 */
export function migrate(db: Database, migrations: readonly Migration[], now: number): void {
  db.exec(`
    CREATE TABLE IF NOT EXISTS schema_migrations (
      version INTEGER PRIMARY KEY,
      name TEXT NOT NULL,
      applied_at INTEGER NOT NULL
    ) STRICT
  `);
  const applied = new Set(
    db
      .prepare<[], { version: number }>('SELECT version FROM schema_migrations')
      .all()
      .map((row) => row.version),
  );
  const known = new Set(migrations.map((m) => m.version));
  const unknown = [...applied].filter((v) => !known.has(v));
  if (unknown.length > 0) {
    throw new Error(
      `The database has schema migrations this Fogbank does not know (${unknown.join(', ')}); it was written by a newer version.`,
    );
  }
  const record = db.prepare(
    'INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)',
  );
  for (const migration of [...migrations].sort((a, b) => a.version - b.version)) {
    if (applied.has(migration.version)) {
      continue;
    }
    db.transaction(() => {
      db.exec(migration.sql);
      record.run(migration.version, migration.name, now);
    }).immediate();
  }
}
