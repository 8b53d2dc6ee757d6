import type { Database, Statement } from 'better-sqlite3';
import type { AsyncEvent, AsyncSettlement, NewAsyncEvent } from '../../invoke/async-event.js';
import type { Migration } from './migrations.js';

export const ASYNC_EVENTS_MIGRATION: Migration = {
  version: 3,
  name: 'async invocation queue',
  sql: `
    CREATE TABLE async_events (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      request_id TEXT NOT NULL,
      function_name TEXT NOT NULL,
      qualifier TEXT,
      payload BLOB NOT NULL,
      enqueued_at INTEGER NOT NULL,
      attempts INTEGER NOT NULL DEFAULT 0,
      throttles INTEGER NOT NULL DEFAULT 0,
      next_attempt_at INTEGER NOT NULL,
      lease_until INTEGER
    ) STRICT;
    CREATE INDEX async_events_due ON async_events (next_attempt_at);
  `,
};

/** A throttled function's events are deferred and resumed by function. */
export const ASYNC_EVENTS_BY_FUNCTION_MIGRATION: Migration = {
  version: 4,
  name: 'async invocation queue by function',
  sql: `CREATE INDEX async_events_function ON async_events (function_name, next_attempt_at);`,
};

interface Row {
  id: number;
  request_id: string;
  function_name: string;
  qualifier: string | null;
  payload: Buffer;
  enqueued_at: number;
  attempts: number;
  throttles: number;
  next_attempt_at: number;
}

/** The async invocation queue's SQL: one indexed scan to lease, one transaction per batch. */
export class AsyncEventTables {
  readonly #insert: Statement;
  readonly #due: Statement<[number, number, number], Row>;
  readonly #lease: Statement<[number, number]>;
  readonly #delete: Statement<[number]>;
  readonly #reschedule: Statement<[number, number, number, number]>;
  readonly #defer: Statement<[number, string, number]>;
  readonly #resume: Statement<[number, string, number]>;
  readonly #releaseAll: Statement;
  readonly #count: Statement<[], { n: number }>;
  readonly #next: Statement<[], { at: number | null }>;
  readonly #enqueueAll: (events: readonly NewAsyncEvent[]) => void;
  readonly #leaseAll: (now: number, until: number, limit: number) => Row[];
  readonly #settleAll: (settlements: readonly AsyncSettlement[]) => void;

  constructor(db: Database) {
    this.#insert = db.prepare(
      `INSERT INTO async_events (request_id, function_name, qualifier, payload, enqueued_at, next_attempt_at)
       VALUES (?, ?, ?, ?, ?, ?)`,
    );
    this.#due = db.prepare(
      `SELECT id, request_id, function_name, qualifier, payload, enqueued_at, attempts, throttles, next_attempt_at
       FROM async_events
       WHERE next_attempt_at <= ? AND (lease_until IS NULL OR lease_until <= ?)
       ORDER BY next_attempt_at LIMIT ?`,
    );
    this.#lease = db.prepare('UPDATE async_events SET lease_until = ? WHERE id = ?');
    this.#delete = db.prepare('DELETE FROM async_events WHERE id = ?');
    this.#reschedule = db.prepare(
      'UPDATE async_events SET attempts = ?, throttles = ?, next_attempt_at = ?, lease_until = NULL WHERE id = ?',
    );
    this.#defer = db.prepare(
      `UPDATE async_events SET next_attempt_at = ?
       WHERE function_name = ? AND next_attempt_at <= ? AND lease_until IS NULL`,
    );
    this.#resume = db.prepare(
      `UPDATE async_events SET next_attempt_at = ?
       WHERE function_name = ? AND next_attempt_at = ? AND lease_until IS NULL`,
    );
    this.#releaseAll = db.prepare(
      'UPDATE async_events SET lease_until = NULL WHERE lease_until IS NOT NULL',
    );
    this.#count = db.prepare('SELECT count(*) AS n FROM async_events');
    this.#next = db.prepare(
      'SELECT min(next_attempt_at) AS at FROM async_events WHERE lease_until IS NULL',
    );
    this.#enqueueAll = db.transaction((events: readonly NewAsyncEvent[]) => {
      for (const e of events) {
        this.#insert.run(
          e.requestId,
          e.functionName,
          e.qualifier ?? null,
          e.payload,
          e.enqueuedAt,
          e.nextAttemptAt ?? e.enqueuedAt,
        );
      }
    });
    this.#leaseAll = db.transaction((now: number, until: number, limit: number) => {
      const rows = this.#due.all(now, now, limit);
      for (const r of rows) {
        this.#lease.run(until, r.id);
      }
      return rows;
    });
    this.#settleAll = db.transaction((settlements: readonly AsyncSettlement[]) => {
      for (const s of settlements) {
        switch (s.kind) {
          case 'complete':
            this.#delete.run(s.id);
            break;
          case 'reschedule':
            this.#reschedule.run(s.attempts, s.throttles, s.nextAttemptAt, s.id);
            break;
          case 'defer':
            this.#defer.run(s.until, s.functionName, s.now);
            break;
          case 'resume':
            this.#resume.run(s.now, s.functionName, s.until);
            break;
        }
      }
    });
  }

  enqueue(events: readonly NewAsyncEvent[]): void {
    this.#enqueueAll(events);
  }

  lease(now: number, leaseUntil: number, limit: number): AsyncEvent[] {
    return this.#leaseAll(now, leaseUntil, limit).map(toEvent);
  }

  settle(settlements: readonly AsyncSettlement[]): void {
    this.#settleAll(settlements);
  }

  releaseAll(): void {
    this.#releaseAll.run();
  }

  count(): number {
    return this.#count.get()?.n ?? 0;
  }

  nextAttemptAt(): number | undefined {
    return this.#next.get()?.at ?? undefined;
  }
}

function toEvent(r: Row): AsyncEvent {
  return {
    id: r.id,
    requestId: r.request_id,
    functionName: r.function_name,
    ...(r.qualifier !== null ? { qualifier: r.qualifier } : {}),
    payload: r.payload,
    enqueuedAt: r.enqueued_at,
    attempts: r.attempts,
    throttles: r.throttles,
    nextAttemptAt: r.next_attempt_at,
  };
}
