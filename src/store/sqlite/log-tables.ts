import type { Database, Statement } from 'better-sqlite3';
import type { LogEvent, LogEventQuery, LogStreamSummary, StoredLogEvent } from '../types.js';

interface LogEventRow {
  id: number;
  log_group: string;
  log_stream: string;
  timestamp: number;
  message: string;
  ingestion_time: number;
}

/**
 * Lines one row may hold: an event's id is its row's id times this, plus its line's index, so ids
 * stay ascending and never reused however a write was stored.
 */
const LINES_PER_ROW = 65_536;

/**
 * The log store's half of the SQLite store: events plus a per-stream summary kept in step.
 *
 * A row holds one append's message whole, every line of it an event when read (LogEvent): an
 * invocation's START, END and REPORT lines and its output cost one insert into the table and its
 * two indexes, not one per line.
 */
export class LogTables {
  readonly #db: Database;
  /** One prepared query per combination of filters. */
  readonly #queries = new Map<string, Statement<(string | number)[], LogEventRow>>();
  readonly #insertEvent: Statement<[string, string, number, string, number]>;
  readonly #upsertStream: Statement<[string, string, number, number]>;
  readonly #listStreams: Statement<
    [string],
    { log_stream: string; first_event_timestamp: number; last_event_timestamp: number }
  >;

  constructor(db: Database) {
    this.#db = db;
    this.#insertEvent = db.prepare(
      `INSERT INTO log_events (log_group, log_stream, timestamp, message, ingestion_time)
       VALUES (?, ?, ?, ?, ?)`,
    );
    this.#upsertStream = db.prepare(
      `INSERT INTO log_streams (log_group, log_stream, first_event_timestamp, last_event_timestamp)
       VALUES (?, ?, ?, ?)
       ON CONFLICT (log_group, log_stream) DO UPDATE SET
         first_event_timestamp = min(first_event_timestamp, excluded.first_event_timestamp),
         last_event_timestamp = max(last_event_timestamp, excluded.last_event_timestamp)`,
    );
    this.#listStreams = db.prepare(
      `SELECT log_stream, first_event_timestamp, last_event_timestamp
       FROM log_streams WHERE log_group = ? ORDER BY log_stream`,
    );
  }

  append(events: readonly LogEvent[], ingestionTime: number): void {
    // A batch holds many lines of few streams (START, END, REPORT of each invocation):
    // each stream's summary is updated once per batch, not once per line.
    const streams = new Map<string, [group: string, stream: string, first: number, last: number]>();
    this.#db
      .transaction(() => {
        for (const e of events) {
          for (const message of chunks(e.message)) {
            this.#insertEvent.run(
              e.logGroupName,
              e.logStreamName,
              e.timestamp,
              message,
              ingestionTime,
            );
          }
          const key = `${e.logGroupName}\0${e.logStreamName}`;
          const summary = streams.get(key);
          if (summary === undefined) {
            streams.set(key, [e.logGroupName, e.logStreamName, e.timestamp, e.timestamp]);
          } else {
            summary[2] = Math.min(summary[2], e.timestamp);
            summary[3] = Math.max(summary[3], e.timestamp);
          }
        }
        for (const summary of streams.values()) {
          this.#upsertStream.run(...summary);
        }
      })
      .immediate();
  }

  query(q: LogEventQuery): StoredLogEvent[] {
    const where = ['log_group = ?'];
    const params: (string | number)[] = [q.logGroupName];
    if (q.logStreamName !== undefined) {
      where.push('log_stream = ?');
      params.push(q.logStreamName);
    }
    if (q.afterId !== undefined) {
      where.push('id >= ?');
      params.push(Math.floor(q.afterId / LINES_PER_ROW));
    }
    if (q.startTime !== undefined) {
      where.push('timestamp >= ?');
      params.push(q.startTime);
    }
    // The row of `afterId` may have no line left after it: one row more.
    params.push(Math.max(0, Math.floor(q.limit)) + (q.afterId === undefined ? 0 : 1));
    const filter = where.join(' AND ');
    let statement = this.#queries.get(filter);
    if (!statement) {
      statement = this.#db.prepare<(string | number)[], LogEventRow>(
        `SELECT id, log_group, log_stream, timestamp, message, ingestion_time
         FROM log_events WHERE ${filter} ORDER BY id LIMIT ?`,
      );
      this.#queries.set(filter, statement);
    }
    // Every row holds at least one line, so these rows hold `limit` events, if there are as many.
    const events: StoredLogEvent[] = [];
    for (const r of statement.all(...params)) {
      for (const [i, message] of splitLines(r.message).entries()) {
        const id = r.id * LINES_PER_ROW + i;
        if (events.length === q.limit) {
          break;
        }
        if (q.afterId === undefined || id > q.afterId) {
          events.push({
            id,
            logGroupName: r.log_group,
            logStreamName: r.log_stream,
            timestamp: r.timestamp,
            message,
            ingestionTime: r.ingestion_time,
          });
        }
      }
    }
    return events;
  }

  listStreams(logGroupName: string): LogStreamSummary[] {
    return this.#listStreams.all(logGroupName).map((r) => ({
      logStreamName: r.log_stream,
      firstEventTimestamp: r.first_event_timestamp,
      lastEventTimestamp: r.last_event_timestamp,
    }));
  }
}

/** A message's lines: split at '\n', a final '\n' ending the last line rather than starting one. */
function splitLines(message: string): string[] {
  const lines = message.split('\n');
  if (lines.length > 1 && lines.at(-1) === '') {
    lines.pop();
  }
  return lines;
}

/** `message` in pieces of at most LINES_PER_ROW lines, one row each. */
function chunks(message: string): string[] {
  // At most one line per character: short messages (every invocation's) need no split here.
  if (message.length <= LINES_PER_ROW) {
    return [message];
  }
  const lines = splitLines(message);
  if (lines.length <= LINES_PER_ROW) {
    return [message];
  }
  const pieces: string[] = [];
  for (let i = 0; i < lines.length; i += LINES_PER_ROW) {
    pieces.push(lines.slice(i, i + LINES_PER_ROW).join('\n'));
  }
  return pieces;
}
