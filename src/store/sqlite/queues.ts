import type { Database, Transaction } from 'better-sqlite3';
import type {
  MessageCounts,
  NewMessage,
  NewQueue,
  QueueRecord,
  QueueStore,
  ReceiptOutcome,
  ReceiptTarget,
  ReceiveOutcome,
  ReceiveQuery,
  SentMessage,
  StoredMessage,
} from '../../events/sqs/queue-store.js';
import {
  encodeAttributes,
  MESSAGE_COLUMNS,
  toMessage,
  toQueue,
  type MessageRow,
  type QueueRow,
} from '../../events/sqs/queue-rows.js';

/**
 * The queue service's tables. Idempotent: safe to run on every start, on a fresh database
 * or on one that already has them.
 *
 * `seq` (AUTOINCREMENT, so never reused) orders messages: FIFO order within a message group
 * and FIFO sequence numbers come from it. `receipt` is the nonce of the latest receive, which
 * receipt handles embed. `enqueued_at` runs the retention clock (it differs from `sent_at`
 * only for messages moved to a FIFO dead-letter queue).
 */
export function migrateQueues(db: Database): void {
  db.exec(`
    CREATE TABLE IF NOT EXISTS sqs_queues (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      name TEXT NOT NULL UNIQUE,
      fifo INTEGER NOT NULL,
      attributes TEXT NOT NULL,
      tags TEXT NOT NULL,
      created_at INTEGER NOT NULL,
      modified_at INTEGER NOT NULL,
      last_purged_at INTEGER
    ) STRICT;

    CREATE TABLE IF NOT EXISTS sqs_messages (
      seq INTEGER PRIMARY KEY AUTOINCREMENT,
      queue_id INTEGER NOT NULL,
      message_id TEXT NOT NULL,
      body TEXT NOT NULL,
      md5_body TEXT NOT NULL,
      message_attributes TEXT,
      sender_id TEXT NOT NULL,
      trace_header TEXT,
      dlq_source_arn TEXT,
      group_id TEXT,
      dedup_id TEXT,
      sent_at INTEGER NOT NULL,
      enqueued_at INTEGER NOT NULL,
      visible_at INTEGER NOT NULL,
      receive_count INTEGER NOT NULL DEFAULT 0,
      first_receive_at INTEGER,
      received_at INTEGER,
      receipt TEXT
    ) STRICT;
    CREATE INDEX IF NOT EXISTS sqs_messages_by_visibility ON sqs_messages (queue_id, visible_at);
    CREATE INDEX IF NOT EXISTS sqs_messages_by_group
      ON sqs_messages (queue_id, group_id, seq) WHERE group_id IS NOT NULL;
    CREATE INDEX IF NOT EXISTS sqs_messages_by_age ON sqs_messages (queue_id, enqueued_at);

    CREATE TABLE IF NOT EXISTS sqs_deduplication (
      queue_id INTEGER NOT NULL,
      dedup_key TEXT NOT NULL,
      message_id TEXT NOT NULL,
      seq INTEGER NOT NULL,
      expires_at INTEGER NOT NULL,
      PRIMARY KEY (queue_id, dedup_key)
    ) STRICT, WITHOUT ROWID;
  `);
}

interface CandidateQuery {
  queueId: number;
  now: number;
  retainedAfter: number;
  limit: number;
}

interface Candidate {
  seq: number;
  receive_count: number;
}

/** Runs synchronous database work, turning a thrown error into a rejection. */
function settle<T>(work: () => T): Promise<T> {
  try {
    return Promise.resolve(work());
  } catch (error) {
    return Promise.reject(toError(error));
  }
}

function toError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

function prepareStatements(db: Database) {
  return {
    insertQueue: db.prepare<[string, number, string, string, number, number]>(
      `INSERT INTO sqs_queues (name, fifo, attributes, tags, created_at, modified_at)
       VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (name) DO NOTHING`,
    ),
    queueByName: db.prepare<[string], QueueRow>('SELECT * FROM sqs_queues WHERE name = ?'),
    queuesByPrefix: db.prepare<{ prefix: string }, QueueRow>(
      'SELECT * FROM sqs_queues WHERE substr(name, 1, length(@prefix)) = @prefix ORDER BY name',
    ),
    updateQueue: db.prepare<[string | null, string | null, number | null, number]>(
      `UPDATE sqs_queues SET attributes = coalesce(?, attributes), tags = coalesce(?, tags),
         modified_at = coalesce(?, modified_at) WHERE id = ?`,
    ),
    deleteQueue: db.prepare<[number]>('DELETE FROM sqs_queues WHERE id = ?'),
    markPurged: db.prepare<[number, number]>(
      'UPDATE sqs_queues SET last_purged_at = ? WHERE id = ?',
    ),
    deleteAllMessages: db.prepare<[number]>('DELETE FROM sqs_messages WHERE queue_id = ?'),
    deleteAllDeduplication: db.prepare<[number]>(
      'DELETE FROM sqs_deduplication WHERE queue_id = ?',
    ),
    insertMessage: db.prepare<MessageInsert>(
      `INSERT INTO sqs_messages (queue_id, message_id, body, md5_body, message_attributes,
         sender_id, trace_header, group_id, dedup_id, sent_at, enqueued_at, visible_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    findDuplicate: db.prepare<[number, string, number], { message_id: string; seq: number }>(
      `SELECT message_id, seq FROM sqs_deduplication
       WHERE queue_id = ? AND dedup_key = ? AND expires_at > ?`,
    ),
    recordDeduplication: db.prepare<[number, string, string, number, number]>(
      `INSERT INTO sqs_deduplication (queue_id, dedup_key, message_id, seq, expires_at)
       VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (queue_id, dedup_key) DO UPDATE SET
         message_id = excluded.message_id, seq = excluded.seq, expires_at = excluded.expires_at`,
    ),
    standardCandidates: db.prepare<CandidateQuery, Candidate>(
      `SELECT seq, receive_count FROM sqs_messages
       WHERE queue_id = @queueId AND visible_at <= @now AND enqueued_at > @retainedAfter
       ORDER BY visible_at, seq LIMIT @limit`,
    ),
    // A FIFO message group is blocked while any of its messages is in flight, and a message
    // waits behind every earlier message of its group that is not visible yet.
    fifoCandidates: db.prepare<CandidateQuery, Candidate>(
      `SELECT m.seq, m.receive_count FROM sqs_messages AS m
       WHERE m.queue_id = @queueId AND m.visible_at <= @now AND m.enqueued_at > @retainedAfter
         AND NOT EXISTS (
           SELECT 1 FROM sqs_messages AS b
           WHERE b.queue_id = @queueId AND b.group_id = m.group_id AND b.visible_at > @now
             AND (b.seq < m.seq OR b.receive_count > 0))
       ORDER BY m.seq LIMIT @limit`,
    ),
    takeMessages: db.prepare<
      { visibleAt: number; now: number; receipt: string; seqs: string },
      MessageRow
    >(
      `UPDATE sqs_messages SET visible_at = @visibleAt, receive_count = receive_count + 1,
         first_receive_at = coalesce(first_receive_at, @now), received_at = @now, receipt = @receipt
       WHERE seq IN (SELECT value FROM json_each(@seqs))
       RETURNING ${MESSAGE_COLUMNS}`,
    ),
    redrive: db.prepare<{
      target: number;
      sourceArn: string;
      restart: number;
      now: number;
      seqs: string;
    }>(
      `INSERT INTO sqs_messages (queue_id, message_id, body, md5_body, message_attributes,
         sender_id, trace_header, dlq_source_arn, group_id, dedup_id, sent_at, enqueued_at,
         visible_at, receive_count, first_receive_at)
       SELECT @target, message_id, body, md5_body, message_attributes, sender_id, trace_header,
         @sourceArn, group_id, dedup_id, sent_at, CASE WHEN @restart THEN @now ELSE enqueued_at END,
         @now, receive_count, first_receive_at
       FROM sqs_messages WHERE seq IN (SELECT value FROM json_each(@seqs)) ORDER BY seq`,
    ),
    deleteBySeqs: db.prepare<[string]>(
      'DELETE FROM sqs_messages WHERE seq IN (SELECT value FROM json_each(?))',
    ),
    deleteByReceipt: db.prepare<ReceiptChange & { onlyInFlight: number }>(
      `DELETE FROM sqs_messages
       WHERE seq = @seq AND queue_id = @queueId AND receipt = @receipt
         AND (visible_at > @now OR @onlyInFlight = 0)`,
    ),
    changeVisibility: db.prepare<ReceiptChange & { visibleAt: number; maxInFlightMs: number }>(
      `UPDATE sqs_messages SET visible_at = @visibleAt
       WHERE seq = @seq AND queue_id = @queueId AND receipt = @receipt AND visible_at > @now
         AND @visibleAt - received_at <= @maxInFlightMs`,
    ),
    receiptState: db.prepare<[number, number], { receipt: string | null; visible_at: number }>(
      'SELECT receipt, visible_at FROM sqs_messages WHERE seq = ? AND queue_id = ?',
    ),
    counts: db.prepare<{ queueId: number; now: number; retainedAfter: number }, MessageCounts>(
      `SELECT
         coalesce(sum(visible_at <= @now), 0) AS visible,
         coalesce(sum(visible_at > @now AND receive_count > 0), 0) AS inFlight,
         coalesce(sum(visible_at > @now AND receive_count = 0), 0) AS delayed
       FROM sqs_messages WHERE queue_id = @queueId AND enqueued_at > @retainedAfter`,
    ),
    nextVisible: db.prepare<[number, number], { at: number | null }>(
      'SELECT min(visible_at) AS at FROM sqs_messages WHERE queue_id = ? AND visible_at > ?',
    ),
    deleteExpiredDeduplication: db.prepare<[number, number]>(
      'DELETE FROM sqs_deduplication WHERE queue_id = ? AND expires_at <= ?',
    ),
    deleteExpiredMessages: db.prepare<[number, number]>(
      'DELETE FROM sqs_messages WHERE queue_id = ? AND enqueued_at <= ?',
    ),
  };
}

type MessageInsert = [
  ...[queueId: number, messageId: string, body: string, md5: string, attributes: string | null],
  ...[senderId: string, traceHeader: string | null, groupId: string | null, dedupId: string | null],
  ...[sentAt: number, enqueuedAt: number, visibleAt: number],
];

interface ReceiptChange {
  seq: number;
  queueId: number;
  receipt: string;
  now: number;
}

interface PendingWrite {
  readonly work: () => unknown;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: Error) => void;
}

/**
 * better-sqlite3 is synchronous; the async methods keep QueueStore PostgreSQL-shaped.
 *
 * Writes use group commit: the writes that arrive in one turn of the event loop run in one
 * transaction (each in its own savepoint, so one failing write fails alone), and each resolves
 * only after that transaction commits. With synchronous=FULL a commit is an fsync, and this
 * shares it between concurrent producers and consumers instead of queueing them behind it.
 */
export class SqliteQueueStore implements QueueStore {
  readonly #db: Database;
  readonly #sql: ReturnType<typeof prepareStatements>;
  readonly #savepoint: Transaction<(work: () => unknown) => unknown>;
  readonly #pending: PendingWrite[] = [];
  #flushScheduled = false;

  constructor(db: Database) {
    this.#db = db;
    this.#sql = prepareStatements(db);
    this.#savepoint = db.transaction((work: () => unknown) => work());
  }

  #write<T>(work: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#pending.push({ work, resolve: resolve as (value: unknown) => void, reject });
      if (!this.#flushScheduled) {
        this.#flushScheduled = true;
        setImmediate(() => {
          this.#flush();
        });
      }
    });
  }

  #flush(): void {
    this.#flushScheduled = false;
    const batch = this.#pending.splice(0);
    const outcomes: ({ ok: true; value: unknown } | { ok: false; error: Error })[] = [];
    try {
      this.#db
        .transaction(() => {
          for (const write of batch) {
            try {
              outcomes.push({ ok: true, value: this.#savepoint(write.work) });
            } catch (error) {
              outcomes.push({ ok: false, error: toError(error) });
            }
          }
        })
        .immediate();
    } catch (error) {
      for (const write of batch) {
        write.reject(toError(error));
      }
      return;
    }
    batch.forEach((write, i) => {
      const outcome = outcomes[i];
      if (outcome?.ok) {
        write.resolve(outcome.value);
      } else {
        write.reject(outcome?.error ?? new Error('write not run'));
      }
    });
  }

  createQueue(queue: NewQueue): Promise<{ queue: QueueRecord; created: boolean }> {
    return this.#write(() => {
      const { changes } = this.#sql.insertQueue.run(
        queue.name,
        queue.fifo ? 1 : 0,
        JSON.stringify(queue.attributes),
        JSON.stringify(queue.tags),
        queue.createdAt,
        queue.createdAt,
      );
      const row = this.#sql.queueByName.get(queue.name);
      if (!row) {
        throw new Error(`queue ${queue.name} vanished while being created`);
      }
      return { queue: toQueue(row), created: changes === 1 };
    });
  }

  getQueue(name: string): Promise<QueueRecord | undefined> {
    return settle(() => {
      const row = this.#sql.queueByName.get(name);
      return row && toQueue(row);
    });
  }

  listQueues(prefix = ''): Promise<QueueRecord[]> {
    return settle(() => this.#sql.queuesByPrefix.all({ prefix }).map(toQueue));
  }

  updateQueue(
    id: number,
    change: {
      readonly attributes?: Readonly<Record<string, string>>;
      readonly tags?: Readonly<Record<string, string>>;
      readonly modifiedAt?: number;
    },
  ): Promise<void> {
    return this.#write(() => {
      this.#sql.updateQueue.run(
        change.attributes ? JSON.stringify(change.attributes) : null,
        change.tags ? JSON.stringify(change.tags) : null,
        change.modifiedAt ?? null,
        id,
      );
    });
  }

  deleteQueue(id: number): Promise<void> {
    return this.#write(() => {
      this.#sql.deleteAllMessages.run(id);
      this.#sql.deleteAllDeduplication.run(id);
      this.#sql.deleteQueue.run(id);
    });
  }

  purgeQueue(id: number, now: number): Promise<void> {
    return this.#write(() => {
      this.#sql.deleteAllMessages.run(id);
      this.#sql.markPurged.run(now, id);
    });
  }

  sendMessages(queueId: number, messages: readonly NewMessage[]): Promise<SentMessage[]> {
    return this.#write(() => messages.map((message) => this.#sendOne(queueId, message)));
  }

  receiveMessages(query: ReceiveQuery): Promise<ReceiveOutcome> {
    return this.#write(() => this.#receive(query));
  }

  deleteMessages(
    queueId: number,
    targets: readonly ReceiptTarget[],
    options: { readonly now: number; readonly onlyInFlight: boolean },
  ): Promise<ReceiptOutcome[]> {
    return this.#write(() =>
      targets.map((t) => {
        const { changes } = this.#sql.deleteByReceipt.run({
          seq: t.seq,
          queueId,
          receipt: t.receipt,
          now: options.now,
          onlyInFlight: options.onlyInFlight ? 1 : 0,
        });
        return changes === 1 ? 'done' : this.#diagnose(queueId, t, options.now);
      }),
    );
  }

  changeVisibility(
    queueId: number,
    targets: readonly (ReceiptTarget & { readonly visibleAt: number })[],
    options: { readonly now: number; readonly maxInFlightMs: number },
  ): Promise<ReceiptOutcome[]> {
    return this.#write(() =>
      targets.map((t) => {
        const { changes } = this.#sql.changeVisibility.run({
          visibleAt: t.visibleAt,
          seq: t.seq,
          queueId,
          receipt: t.receipt,
          now: options.now,
          maxInFlightMs: options.maxInFlightMs,
        });
        return changes === 1 ? 'done' : this.#diagnose(queueId, t, options.now);
      }),
    );
  }

  countMessages(queueId: number, now: number, retainedAfter: number): Promise<MessageCounts> {
    return settle(
      () =>
        this.#sql.counts.get({ queueId, now, retainedAfter }) ?? {
          visible: 0,
          inFlight: 0,
          delayed: 0,
        },
    );
  }

  nextVisibleAt(queueId: number, now: number): Promise<number | undefined> {
    return settle(() => this.#sql.nextVisible.get(queueId, now)?.at ?? undefined);
  }

  deleteExpired(queueId: number, retainedAfter: number, now: number): Promise<number> {
    return this.#write(() => {
      this.#sql.deleteExpiredDeduplication.run(queueId, now);
      return this.#sql.deleteExpiredMessages.run(queueId, retainedAfter).changes;
    });
  }

  #sendOne(queueId: number, m: NewMessage): SentMessage {
    if (m.deduplicationKey !== undefined) {
      const original = this.#sql.findDuplicate.get(queueId, m.deduplicationKey, m.sentAt);
      if (original) {
        return { seq: original.seq, messageId: original.message_id, duplicate: true };
      }
    }
    const { lastInsertRowid } = this.#sql.insertMessage.run(
      queueId,
      m.messageId,
      m.body,
      m.md5OfBody,
      m.messageAttributes ? encodeAttributes(m.messageAttributes) : null,
      m.senderId,
      m.awsTraceHeader ?? null,
      m.groupId ?? null,
      m.deduplicationId ?? null,
      m.sentAt,
      m.sentAt,
      m.visibleAt,
    );
    const seq = Number(lastInsertRowid);
    if (m.deduplicationKey !== undefined) {
      this.#sql.recordDeduplication.run(
        queueId,
        m.deduplicationKey,
        m.messageId,
        seq,
        m.deduplicationExpiresAt ?? m.sentAt,
      );
    }
    return { seq, messageId: m.messageId, duplicate: false };
  }

  /** Select, redrive what reached the limit, take the rest; again while redrives freed room. */
  #receive(q: ReceiveQuery): ReceiveOutcome {
    const messages: StoredMessage[] = [];
    let redriven = 0;
    for (;;) {
      const want = q.max - messages.length;
      const candidates = (q.fifo ? this.#sql.fifoCandidates : this.#sql.standardCandidates).all({
        queueId: q.queueId,
        now: q.now,
        retainedAfter: q.retainedAfter,
        limit: want,
      });
      const limit = q.redrive?.maxReceiveCount ?? Infinity;
      const over = candidates.filter((c) => c.receive_count >= limit).map((c) => c.seq);
      const take = candidates.filter((c) => c.receive_count < limit).map((c) => c.seq);
      if (q.redrive && over.length > 0) {
        const seqs = JSON.stringify(over);
        this.#sql.redrive.run({
          target: q.redrive.targetQueueId,
          sourceArn: q.redrive.sourceArn,
          restart: q.redrive.restartRetention ? 1 : 0,
          now: q.now,
          seqs,
        });
        this.#sql.deleteBySeqs.run(seqs);
        redriven += over.length;
      }
      if (take.length > 0) {
        const rows = this.#sql.takeMessages.all({
          visibleAt: q.visibleAt,
          now: q.now,
          receipt: q.receipt,
          seqs: JSON.stringify(take),
        });
        // RETURNING has no defined order; hand messages out in the order they were selected.
        const bySeq = new Map(rows.map((row) => [row.seq, row]));
        for (const seq of take) {
          const row = bySeq.get(seq);
          if (row) {
            messages.push(toMessage(row));
          }
        }
      }
      if (over.length === 0 || candidates.length < want || messages.length >= q.max) {
        return { messages, redriven };
      }
    }
  }

  #diagnose(queueId: number, target: ReceiptTarget, now: number): ReceiptOutcome {
    const state = this.#sql.receiptState.get(target.seq, queueId);
    if (!state) {
      return 'gone';
    }
    if (state.receipt !== target.receipt) {
      return 'stale';
    }
    return state.visible_at <= now ? 'not-in-flight' : 'limit';
  }
}
