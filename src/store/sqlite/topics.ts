import type { Database, Statement } from 'better-sqlite3';
import type {
  ClaimedDelivery,
  NewDelivery,
  SubscriptionRecord,
  TopicRecord,
  TopicStore,
} from '../../events/sns/topic-store.js';
import type { Tag } from '../../events/sns/types.js';

/**
 * The topic service's tables. Idempotent: safe to run on every start, on a fresh database or on
 * one that already has them.
 *
 * sns_deliveries holds one row per (message, subscription) until it is delivered or given up;
 * `next_attempt_at` is both the retry schedule and the lease of a delivery in flight.
 */
export function migrateTopics(db: Database): void {
  db.exec(`
    CREATE TABLE IF NOT EXISTS sns_topics (
      arn TEXT PRIMARY KEY,
      attributes TEXT NOT NULL,
      tags TEXT NOT NULL,
      created_at INTEGER NOT NULL
    ) STRICT;

    CREATE TABLE IF NOT EXISTS sns_subscriptions (
      arn TEXT PRIMARY KEY,
      topic_arn TEXT NOT NULL,
      protocol TEXT NOT NULL,
      endpoint TEXT NOT NULL,
      attributes TEXT NOT NULL,
      created_at INTEGER NOT NULL
    ) STRICT;
    CREATE UNIQUE INDEX IF NOT EXISTS sns_subscriptions_by_endpoint
      ON sns_subscriptions (topic_arn, protocol, endpoint);

    CREATE TABLE IF NOT EXISTS sns_deliveries (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      subscription_arn TEXT NOT NULL,
      notification TEXT NOT NULL,
      attempts INTEGER NOT NULL DEFAULT 0,
      dead_letter INTEGER NOT NULL DEFAULT 0,
      next_attempt_at INTEGER NOT NULL,
      created_at INTEGER NOT NULL
    ) STRICT;
    CREATE INDEX IF NOT EXISTS sns_deliveries_due ON sns_deliveries (next_attempt_at, id);
    CREATE INDEX IF NOT EXISTS sns_deliveries_by_subscription
      ON sns_deliveries (subscription_arn);
  `);
}

interface TopicRow {
  arn: string;
  attributes: string;
  tags: string;
  created_at: number;
}

interface SubscriptionRow {
  arn: string;
  topic_arn: string;
  protocol: string;
  endpoint: string;
  attributes: string;
  created_at: number;
}

interface DeliveryRow {
  id: number;
  notification: string;
  attempts: number;
  dead_letter: number;
  created_at: number;
  s_arn: string | null;
  s_topic_arn: string | null;
  s_protocol: string | null;
  s_endpoint: string | null;
  s_attributes: string | null;
  s_created_at: number | null;
}

/** Runs synchronous database work, turning a thrown error into a rejection. */
function settle<T>(work: () => T): Promise<T> {
  try {
    return Promise.resolve(work());
  } catch (error) {
    return Promise.reject(error instanceof Error ? error : new Error(String(error)));
  }
}

function toTopic(row: TopicRow): TopicRecord {
  return {
    arn: row.arn,
    attributes: JSON.parse(row.attributes) as Record<string, string>,
    tags: JSON.parse(row.tags) as Tag[],
    createdAt: row.created_at,
  };
}

function toSubscription(row: SubscriptionRow): SubscriptionRecord {
  return {
    arn: row.arn,
    topicArn: row.topic_arn,
    protocol: row.protocol,
    endpoint: row.endpoint,
    attributes: JSON.parse(row.attributes) as Record<string, string>,
    createdAt: row.created_at,
  };
}

/** The end of the range of strings starting with `prefix` (for index range scans). */
function prefixEnd(prefix: string): string {
  return `${prefix}\uffff`;
}

/** TopicStore on better-sqlite3. Call migrateTopics(db) first. */
export class SqliteTopicStore implements TopicStore {
  readonly #db: Database;
  readonly #statements = new Map<string, Statement>();

  constructor(db: Database) {
    this.#db = db;
  }

  #sql(sql: string): Statement {
    let statement = this.#statements.get(sql);
    if (statement === undefined) {
      statement = this.#db.prepare(sql);
      this.#statements.set(sql, statement);
    }
    return statement;
  }

  #topic(arn: string): TopicRecord | undefined {
    const row = this.#sql('SELECT * FROM sns_topics WHERE arn = ?').get(arn) as
      TopicRow | undefined;
    return row && toTopic(row);
  }

  #subscription(arn: string): SubscriptionRecord | undefined {
    const row = this.#sql('SELECT * FROM sns_subscriptions WHERE arn = ?').get(arn) as
      SubscriptionRow | undefined;
    return row && toSubscription(row);
  }

  createTopic(topic: TopicRecord): Promise<{ topic: TopicRecord; created: boolean }> {
    return settle(() =>
      this.#db
        .transaction(() => {
          const existing = this.#topic(topic.arn);
          if (existing) {
            return { topic: existing, created: false };
          }
          this.#sql(
            'INSERT INTO sns_topics (arn, attributes, tags, created_at) VALUES (?, ?, ?, ?)',
          ).run(
            topic.arn,
            JSON.stringify(topic.attributes),
            JSON.stringify(topic.tags),
            topic.createdAt,
          );
          return { topic, created: true };
        })
        .immediate(),
    );
  }

  getTopic(arn: string): Promise<TopicRecord | undefined> {
    return settle(() => this.#topic(arn));
  }

  listTopics(prefix: string, afterArn: string | undefined, limit: number): Promise<TopicRecord[]> {
    return settle(() =>
      (
        this.#sql('SELECT * FROM sns_topics WHERE arn > ? AND arn < ? ORDER BY arn LIMIT ?').all(
          afterArn ?? prefix,
          prefixEnd(prefix),
          limit,
        ) as TopicRow[]
      ).map(toTopic),
    );
  }

  setTopicAttributes(arn: string, attributes: Readonly<Record<string, string>>): Promise<boolean> {
    return settle(
      () =>
        this.#sql('UPDATE sns_topics SET attributes = ? WHERE arn = ?').run(
          JSON.stringify(attributes),
          arn,
        ).changes > 0,
    );
  }

  deleteTopic(arn: string): Promise<void> {
    return settle(() => {
      this.#db
        .transaction(() => {
          this.#sql(
            `DELETE FROM sns_deliveries WHERE subscription_arn IN
               (SELECT arn FROM sns_subscriptions WHERE topic_arn = ?)`,
          ).run(arn);
          this.#sql('DELETE FROM sns_subscriptions WHERE topic_arn = ?').run(arn);
          this.#sql('DELETE FROM sns_topics WHERE arn = ?').run(arn);
        })
        .immediate();
    });
  }

  createSubscription(
    subscription: SubscriptionRecord,
  ): Promise<{ subscription: SubscriptionRecord; created: boolean } | undefined> {
    return settle(() =>
      this.#db
        .transaction(() => {
          if (!this.#topic(subscription.topicArn)) {
            return undefined;
          }
          const existing = this.#find(
            subscription.topicArn,
            subscription.protocol,
            subscription.endpoint,
          );
          if (existing) {
            return { subscription: existing, created: false };
          }
          this.#sql(
            `INSERT INTO sns_subscriptions (arn, topic_arn, protocol, endpoint, attributes, created_at)
             VALUES (?, ?, ?, ?, ?, ?)`,
          ).run(
            subscription.arn,
            subscription.topicArn,
            subscription.protocol,
            subscription.endpoint,
            JSON.stringify(subscription.attributes),
            subscription.createdAt,
          );
          return { subscription, created: true };
        })
        .immediate(),
    );
  }

  getSubscription(arn: string): Promise<SubscriptionRecord | undefined> {
    return settle(() => this.#subscription(arn));
  }

  #find(topicArn: string, protocol: string, endpoint: string): SubscriptionRecord | undefined {
    const row = this.#sql(
      'SELECT * FROM sns_subscriptions WHERE topic_arn = ? AND protocol = ? AND endpoint = ?',
    ).get(topicArn, protocol, endpoint) as SubscriptionRow | undefined;
    return row && toSubscription(row);
  }

  findSubscription(
    topicArn: string,
    protocol: string,
    endpoint: string,
  ): Promise<SubscriptionRecord | undefined> {
    return settle(() => this.#find(topicArn, protocol, endpoint));
  }

  listSubscriptions(query: {
    readonly prefix: string;
    readonly topicArn?: string;
    readonly afterArn?: string;
    readonly limit: number;
  }): Promise<SubscriptionRecord[]> {
    return settle(() => {
      const after = query.afterArn ?? query.prefix;
      const rows =
        query.topicArn === undefined
          ? this.#sql(
              'SELECT * FROM sns_subscriptions WHERE arn > ? AND arn < ? ORDER BY arn LIMIT ?',
            ).all(after, prefixEnd(query.prefix), query.limit)
          : this.#sql(
              `SELECT * FROM sns_subscriptions WHERE topic_arn = ? AND arn > ?
               ORDER BY arn LIMIT ?`,
            ).all(query.topicArn, after, query.limit);
      return (rows as SubscriptionRow[]).map(toSubscription);
    });
  }

  topicSubscriptions(topicArn: string): Promise<SubscriptionRecord[]> {
    return settle(() =>
      (
        this.#sql('SELECT * FROM sns_subscriptions WHERE topic_arn = ? ORDER BY arn').all(
          topicArn,
        ) as SubscriptionRow[]
      ).map(toSubscription),
    );
  }

  countSubscriptions(topicArn: string): Promise<number> {
    return settle(
      () =>
        (
          this.#sql('SELECT count(*) AS n FROM sns_subscriptions WHERE topic_arn = ?').get(
            topicArn,
          ) as { n: number }
        ).n,
    );
  }

  setSubscriptionAttributes(
    arn: string,
    attributes: Readonly<Record<string, string>>,
  ): Promise<boolean> {
    return settle(
      () =>
        this.#sql('UPDATE sns_subscriptions SET attributes = ? WHERE arn = ?').run(
          JSON.stringify(attributes),
          arn,
        ).changes > 0,
    );
  }

  deleteSubscription(arn: string): Promise<void> {
    return settle(() => {
      this.#db
        .transaction(() => {
          this.#sql('DELETE FROM sns_deliveries WHERE subscription_arn = ?').run(arn);
          this.#sql('DELETE FROM sns_subscriptions WHERE arn = ?').run(arn);
        })
        .immediate();
    });
  }

  enqueueDeliveries(deliveries: readonly NewDelivery[]): Promise<void> {
    return settle(() => {
      const insert = this.#sql(
        `INSERT INTO sns_deliveries (subscription_arn, notification, next_attempt_at, created_at)
         VALUES (?, ?, ?, ?)`,
      );
      this.#db
        .transaction(() => {
          for (const d of deliveries) {
            insert.run(d.subscriptionArn, d.notification, d.nextAttemptAt, d.createdAt);
          }
        })
        .immediate();
    });
  }

  claimDeliveries(now: number, limit: number, leaseUntil: number): Promise<ClaimedDelivery[]> {
    return settle(() =>
      this.#db
        .transaction(() => {
          const rows = this.#sql(
            `SELECT d.id, d.notification, d.attempts, d.dead_letter, d.created_at,
                    s.arn AS s_arn, s.topic_arn AS s_topic_arn, s.protocol AS s_protocol,
                    s.endpoint AS s_endpoint, s.attributes AS s_attributes,
                    s.created_at AS s_created_at
               FROM sns_deliveries d LEFT JOIN sns_subscriptions s ON s.arn = d.subscription_arn
              WHERE d.next_attempt_at <= ?
              ORDER BY d.next_attempt_at, d.id
              LIMIT ?`,
          ).all(now, limit) as DeliveryRow[];
          const lease = this.#sql('UPDATE sns_deliveries SET next_attempt_at = ? WHERE id = ?');
          return rows.map((row): ClaimedDelivery => {
            lease.run(leaseUntil, row.id);
            return {
              id: row.id,
              notification: row.notification,
              attempts: row.attempts,
              deadLetter: row.dead_letter !== 0,
              createdAt: row.created_at,
              subscription:
                row.s_arn === null
                  ? undefined
                  : toSubscription({
                      arn: row.s_arn,
                      topic_arn: row.s_topic_arn ?? '',
                      protocol: row.s_protocol ?? '',
                      endpoint: row.s_endpoint ?? '',
                      attributes: row.s_attributes ?? '{}',
                      created_at: row.s_created_at ?? 0,
                    }),
            };
          });
        })
        .immediate(),
    );
  }

  deleteDelivery(id: number): Promise<void> {
    return settle(() => {
      this.#sql('DELETE FROM sns_deliveries WHERE id = ?').run(id);
    });
  }

  rescheduleDelivery(
    id: number,
    update: {
      readonly attempts: number;
      readonly nextAttemptAt: number;
      readonly deadLetter: boolean;
    },
  ): Promise<void> {
    return settle(() => {
      this.#sql(
        'UPDATE sns_deliveries SET attempts = ?, next_attempt_at = ?, dead_letter = ? WHERE id = ?',
      ).run(update.attempts, update.nextAttemptAt, update.deadLetter ? 1 : 0, id);
    });
  }

  nextDeliveryAt(): Promise<number | undefined> {
    return settle(
      () =>
        (
          this.#sql('SELECT min(next_attempt_at) AS at FROM sns_deliveries').get() as {
            at: number | null;
          }
        ).at ?? undefined,
    );
  }
}
