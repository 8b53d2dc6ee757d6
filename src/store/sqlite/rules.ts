import type { Database, Statement } from 'better-sqlite3';
import type { RuleStore, StoredEventBus } from '../../events/eventbridge/rule-store.js';
import type { RuleState, StoredRule, Target } from '../../events/eventbridge/types.js';

/**
 * EventBridge's tables. Idempotent: safe to run on every start, on a fresh database or on one
 * that already has them.
 *
 * `schedule_from` / `last_fired_at` carry a scheduled rule across restarts: a schedule that
 * fell due while the server was down fires once when it comes back. A target is kept as the
 * JSON of its definition; `seq` keeps the order targets were first added in.
 */
export function migrateRules(db: Database): void {
  db.exec(`
    CREATE TABLE IF NOT EXISTS eventbridge_buses (
      name TEXT PRIMARY KEY,
      description TEXT,
      created_at INTEGER NOT NULL,
      modified_at INTEGER NOT NULL
    ) STRICT;

    CREATE TABLE IF NOT EXISTS eventbridge_rules (
      bus TEXT NOT NULL,
      name TEXT NOT NULL,
      schedule_expression TEXT,
      event_pattern TEXT,
      state TEXT NOT NULL,
      description TEXT,
      role_arn TEXT,
      created_by TEXT NOT NULL,
      schedule_from INTEGER NOT NULL,
      last_fired_at INTEGER,
      PRIMARY KEY (bus, name)
    ) STRICT, WITHOUT ROWID;
    CREATE INDEX IF NOT EXISTS eventbridge_rules_scheduled
      ON eventbridge_rules (bus, name) WHERE schedule_expression IS NOT NULL;

    CREATE TABLE IF NOT EXISTS eventbridge_targets (
      bus TEXT NOT NULL,
      rule TEXT NOT NULL,
      id TEXT NOT NULL,
      seq INTEGER NOT NULL,
      target TEXT NOT NULL,
      PRIMARY KEY (bus, rule, id)
    ) STRICT, WITHOUT ROWID;
  `);
}

interface BusRow {
  name: string;
  description: string | null;
  created_at: number;
  modified_at: number;
}

interface RuleRow {
  bus: string;
  name: string;
  schedule_expression: string | null;
  event_pattern: string | null;
  state: string;
  description: string | null;
  role_arn: string | null;
  created_by: string;
  schedule_from: number;
  last_fired_at: number | null;
}

const RULE_COLUMNS = `bus, name, schedule_expression, event_pattern, state, description, role_arn,
  created_by, schedule_from, last_fired_at`;

/** Runs synchronous database work, turning a thrown error into a rejection. */
function settle<T>(work: () => T): Promise<T> {
  try {
    return Promise.resolve(work());
  } catch (error) {
    return Promise.reject(error instanceof Error ? error : new Error(String(error)));
  }
}

/** Escapes LIKE wildcards so a name prefix matches literally. */
function likePrefix(prefix: string): string {
  return `${prefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** better-sqlite3 is synchronous; the async methods keep RuleStore PostgreSQL-shaped. */
export class SqliteRuleStore implements RuleStore {
  readonly #db: Database;
  readonly #insertBus: Statement<[string, string | null, number, number]>;
  readonly #busByName: Statement<[string], BusRow>;
  readonly #busesByPrefix: Statement<[string], BusRow>;
  readonly #deleteBus: Statement<[string]>;
  readonly #upsertRule: Statement<Omit<RuleRow, 'last_fired_at'>>;
  readonly #ruleByName: Statement<[string, string], RuleRow>;
  readonly #rulesByPrefix: Statement<[string, string], RuleRow>;
  readonly #scheduledRules: Statement<[], RuleRow>;
  readonly #anyRuleOnBus: Statement<[string], { one: number }>;
  readonly #deleteRule: Statement<[string, string]>;
  readonly #deleteRuleTargets: Statement<[string, string]>;
  readonly #setState: Statement<[string, number | null, string, string]>;
  readonly #recordFire: Statement<[number, string, string]>;
  readonly #targets: Statement<[string, string], { target: string }>;
  readonly #upsertTarget: Statement<{ bus: string; rule: string; id: string; target: string }>;
  readonly #deleteTarget: Statement<[string, string, string]>;

  constructor(db: Database) {
    this.#db = db;
    this.#insertBus = db.prepare(
      `INSERT INTO eventbridge_buses (name, description, created_at, modified_at)
       VALUES (?, ?, ?, ?) ON CONFLICT (name) DO NOTHING`,
    );
    this.#busByName = db.prepare('SELECT * FROM eventbridge_buses WHERE name = ?');
    this.#busesByPrefix = db.prepare(
      `SELECT * FROM eventbridge_buses WHERE name LIKE ? ESCAPE '\\' ORDER BY name`,
    );
    this.#deleteBus = db.prepare('DELETE FROM eventbridge_buses WHERE name = ?');
    this.#upsertRule = db.prepare(
      `INSERT INTO eventbridge_rules (${RULE_COLUMNS})
       VALUES (@bus, @name, @schedule_expression, @event_pattern, @state, @description,
               @role_arn, @created_by, @schedule_from, NULL)
       ON CONFLICT (bus, name) DO UPDATE SET
         schedule_expression = excluded.schedule_expression,
         event_pattern = excluded.event_pattern,
         state = excluded.state,
         description = excluded.description,
         role_arn = excluded.role_arn,
         schedule_from = excluded.schedule_from`,
    );
    this.#ruleByName = db.prepare(
      `SELECT ${RULE_COLUMNS} FROM eventbridge_rules WHERE bus = ? AND name = ?`,
    );
    this.#rulesByPrefix = db.prepare(
      `SELECT ${RULE_COLUMNS} FROM eventbridge_rules
       WHERE bus = ? AND name LIKE ? ESCAPE '\\' ORDER BY name`,
    );
    this.#scheduledRules = db.prepare(
      `SELECT ${RULE_COLUMNS} FROM eventbridge_rules
       WHERE schedule_expression IS NOT NULL ORDER BY bus, name`,
    );
    this.#anyRuleOnBus = db.prepare('SELECT 1 AS one FROM eventbridge_rules WHERE bus = ? LIMIT 1');
    this.#deleteRule = db.prepare('DELETE FROM eventbridge_rules WHERE bus = ? AND name = ?');
    this.#deleteRuleTargets = db.prepare(
      'DELETE FROM eventbridge_targets WHERE bus = ? AND rule = ?',
    );
    this.#setState = db.prepare(
      `UPDATE eventbridge_rules SET state = ?, schedule_from = COALESCE(?, schedule_from)
       WHERE bus = ? AND name = ?`,
    );
    this.#recordFire = db.prepare(
      'UPDATE eventbridge_rules SET last_fired_at = ? WHERE bus = ? AND name = ?',
    );
    this.#targets = db.prepare(
      'SELECT target FROM eventbridge_targets WHERE bus = ? AND rule = ? ORDER BY seq',
    );
    this.#upsertTarget = db.prepare(
      `INSERT INTO eventbridge_targets (bus, rule, id, seq, target)
       VALUES (@bus, @rule, @id,
               (SELECT COALESCE(MAX(seq), 0) + 1 FROM eventbridge_targets
                WHERE bus = @bus AND rule = @rule),
               @target)
       ON CONFLICT (bus, rule, id) DO UPDATE SET target = excluded.target`,
    );
    this.#deleteTarget = db.prepare(
      'DELETE FROM eventbridge_targets WHERE bus = ? AND rule = ? AND id = ?',
    );
  }

  createBus(bus: StoredEventBus): Promise<boolean> {
    return settle(
      () =>
        this.#insertBus.run(bus.name, bus.description ?? null, bus.createdAt, bus.modifiedAt)
          .changes === 1,
    );
  }

  getBus(name: string): Promise<StoredEventBus | undefined> {
    return settle(() => {
      const row = this.#busByName.get(name);
      return row && toBus(row);
    });
  }

  listBuses(prefix: string): Promise<StoredEventBus[]> {
    return settle(() => this.#busesByPrefix.all(likePrefix(prefix)).map(toBus));
  }

  deleteBus(name: string): Promise<void> {
    return settle(() => {
      this.#deleteBus.run(name);
    });
  }

  putRule(rule: StoredRule): Promise<void> {
    return settle(() => {
      this.#upsertRule.run({
        bus: rule.busName,
        name: rule.name,
        schedule_expression: rule.scheduleExpression ?? null,
        event_pattern: rule.eventPattern ?? null,
        state: rule.state,
        description: rule.description ?? null,
        role_arn: rule.roleArn ?? null,
        created_by: rule.createdBy,
        schedule_from: rule.scheduleFrom,
      });
    });
  }

  getRule(busName: string, name: string): Promise<StoredRule | undefined> {
    return settle(() => {
      const row = this.#ruleByName.get(busName, name);
      return row && toRule(row);
    });
  }

  listRules(busName: string, prefix: string): Promise<StoredRule[]> {
    return settle(() => this.#rulesByPrefix.all(busName, likePrefix(prefix)).map(toRule));
  }

  listScheduledRules(): Promise<StoredRule[]> {
    return settle(() => this.#scheduledRules.all().map(toRule));
  }

  busHasRules(busName: string): Promise<boolean> {
    return settle(() => this.#anyRuleOnBus.get(busName) !== undefined);
  }

  deleteRule(busName: string, name: string): Promise<boolean> {
    return settle(() =>
      this.#db.transaction(() => {
        this.#deleteRuleTargets.run(busName, name);
        return this.#deleteRule.run(busName, name).changes === 1;
      })(),
    );
  }

  setRuleState(
    busName: string,
    name: string,
    state: RuleState,
    scheduleFrom?: number,
  ): Promise<boolean> {
    return settle(
      () => this.#setState.run(state, scheduleFrom ?? null, busName, name).changes === 1,
    );
  }

  recordFire(busName: string, name: string, firedAt: number): Promise<void> {
    return settle(() => {
      this.#recordFire.run(firedAt, busName, name);
    });
  }

  listTargets(busName: string, ruleName: string): Promise<Target[]> {
    return settle(() =>
      this.#targets.all(busName, ruleName).map((row) => JSON.parse(row.target) as Target),
    );
  }

  putTargets(busName: string, ruleName: string, targets: readonly Target[]): Promise<void> {
    return settle(() => {
      this.#db.transaction(() => {
        for (const target of targets) {
          this.#upsertTarget.run({
            bus: busName,
            rule: ruleName,
            id: target.id,
            target: JSON.stringify(target),
          });
        }
      })();
    });
  }

  removeTargets(busName: string, ruleName: string, ids: readonly string[]): Promise<void> {
    return settle(() => {
      this.#db.transaction(() => {
        for (const id of ids) {
          this.#deleteTarget.run(busName, ruleName, id);
        }
      })();
    });
  }
}

function toBus(row: BusRow): StoredEventBus {
  return {
    name: row.name,
    ...(row.description === null ? {} : { description: row.description }),
    createdAt: row.created_at,
    modifiedAt: row.modified_at,
  };
}

function toRule(row: RuleRow): StoredRule {
  return {
    busName: row.bus,
    name: row.name,
    ...(row.schedule_expression === null ? {} : { scheduleExpression: row.schedule_expression }),
    ...(row.event_pattern === null ? {} : { eventPattern: row.event_pattern }),
    state: row.state as RuleState,
    ...(row.description === null ? {} : { description: row.description }),
    ...(row.role_arn === null ? {} : { roleArn: row.role_arn }),
    createdBy: row.created_by,
    scheduleFrom: row.schedule_from,
    ...(row.last_fired_at === null ? {} : { lastFiredAt: row.last_fired_at }),
  };
}
