/**
 * ELBv2 Lambda target groups in the shared SQLite database, one JSON document per group. The
 * service keeps them in memory and reads the table only on start.
 */
import type { Database, Statement } from 'better-sqlite3';
import type { TargetGroupRecord, TargetGroupStore } from '../../control/target-groups/types.js';
import type { Migration } from './migrations.js';

export const TARGET_GROUPS_MIGRATION: Migration = {
  version: 41,
  name: 'ELBv2 target groups of Lambda targets',
  sql: `
    CREATE TABLE elb_target_groups (
      arn TEXT PRIMARY KEY,
      name TEXT NOT NULL UNIQUE,
      document TEXT NOT NULL
    ) STRICT;
  `,
};

/** TargetGroupStore on better-sqlite3 (TARGET_GROUPS_MIGRATION applied). */
export class SqliteTargetGroupStore implements TargetGroupStore {
  readonly #db: Database;
  readonly #put: Statement<[string, string, string]>;
  readonly #delete: Statement<[string]>;

  constructor(db: Database) {
    this.#db = db;
    this.#put = db.prepare(
      'INSERT INTO elb_target_groups (arn, name, document) VALUES (?, ?, ?) ON CONFLICT (arn) DO UPDATE SET document = excluded.document',
    );
    this.#delete = db.prepare('DELETE FROM elb_target_groups WHERE arn = ?');
  }

  load(): Promise<TargetGroupRecord[]> {
    return settle(() =>
      this.#db
        .prepare<[], { document: string }>('SELECT document FROM elb_target_groups')
        .all()
        .map((row) => JSON.parse(row.document) as TargetGroupRecord),
    );
  }

  put(group: TargetGroupRecord): Promise<void> {
    return settle(() => {
      this.#put.run(group.targetGroupArn, group.name, JSON.stringify(group));
    });
  }

  delete(targetGroupArn: string): Promise<void> {
    return settle(() => {
      this.#delete.run(targetGroupArn);
    });
  }
}

/** Runs synchronous database work, turning a thrown error into a rejection. */
function settle<T>(work: () => T): Promise<T> {
  try {
    return Promise.resolve(work());
  } catch (error) {
    return Promise.reject(error instanceof Error ? error : new Error(String(error)));
  }
}
