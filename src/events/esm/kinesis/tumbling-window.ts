/**
 * Tumbling windows (TumblingWindowInSeconds) for stream mappings: each record belongs to the
 * window its arrival time falls in (windows of the given length, aligned to the epoch); the
 * function is invoked with the window's records in batches that never span two windows, each
 * invocation carrying the `state` the previous one returned, and once the window has ended Lambda
 * invokes it one last time (`isFinalInvokeForWindow`, no records) with the final state. The next
 * window starts from an empty state. A returned state over 1 MB ends the window early
 * (`isWindowTerminatedEarly`).
 * https://docs.aws.amazon.com/lambda/latest/dg/services-kinesis-windows.html
 *
 * The window's records settle (the shard may checkpoint past them) only after its final
 * invocation, so a restart mid-window replays the window from its start with an empty state
 * rather than losing the state of the records before the checkpoint.
 */
import type { StreamRecord } from '../../kinesis/index.js';

/** Lambda ends a window early when the function's state grows past this. */
export const MAX_STATE_BYTES = 1024 * 1024;

export type WindowState = Readonly<Record<string, unknown>>;

/** The fields a tumbling-window invocation adds to the stream event. */
export interface WindowFields {
  readonly window: { readonly start: string; readonly end: string };
  readonly state: WindowState;
  readonly shardId: string;
  readonly eventSourceARN: string;
  readonly isFinalInvokeForWindow: boolean;
  readonly isWindowTerminatedEarly: boolean;
}

/** One lane's open window: its bounds, the last returned state, and its processed records. */
export class TumblingWindow {
  readonly startMs: number;
  readonly endMs: number;
  #state: WindowState = {};
  #terminatedEarly = false;
  /** Records done with inside the window, settled with its final invocation. */
  readonly held: StreamRecord[] = [];

  /** The window `record` falls in, for windows of `seconds`. */
  constructor(record: StreamRecord, seconds: number) {
    const size = seconds * 1000;
    this.startMs = Math.floor(record.approximateArrivalTimestamp / size) * size;
    this.endMs = this.startMs + size;
  }

  contains(record: StreamRecord): boolean {
    const at = record.approximateArrivalTimestamp;
    return at >= this.startMs && at < this.endMs;
  }

  get terminatedEarly(): boolean {
    return this.#terminatedEarly;
  }

  fields(shardId: string, streamArn: string, final: boolean): WindowFields {
    return {
      window: { start: isoSeconds(this.startMs), end: isoSeconds(this.endMs) },
      state: this.#state,
      shardId,
      eventSourceARN: streamArn,
      isFinalInvokeForWindow: final,
      isWindowTerminatedEarly: final && this.#terminatedEarly,
    };
  }

  /**
   * Keeps the `state` of a successful response (`{"state": {...}, "batchItemFailures": [...]}`);
   * a response without an object `state` leaves the state empty.
   */
  absorb(payload: Buffer): void {
    let state: unknown;
    try {
      state = (JSON.parse(payload.toString('utf8')) as { state?: unknown } | null)?.state;
    } catch {
      state = undefined;
    }
    if (typeof state !== 'object' || state === null || Array.isArray(state)) {
      this.#state = {};
      return;
    }
    this.#state = state as WindowState;
    if (Buffer.byteLength(JSON.stringify(state)) > MAX_STATE_BYTES) {
      this.#terminatedEarly = true;
    }
  }
}

/** Lambda writes window bounds to the second: `2020-07-30T17:00:00Z`. */
function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
