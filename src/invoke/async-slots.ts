import { cpus } from 'node:os';
import { performance } from 'node:perf_hooks';

/**
 * Whether this node had CPU to spare since the last call: the server's event loop was not
 * saturated and the machine's cores were not all busy.
 */
export type SpareCpu = () => boolean;

/** Above this event-loop utilization the server itself is the bottleneck. */
const MAX_LOOP_BUSY = 0.75;
/** Below this share of idle CPU time across cores, more environments would only queue for CPU. */
const MIN_IDLE = 0.2;

/** The system's spare-CPU probe: event-loop utilization and /proc/stat idle time, as deltas. */
export function spareCpuProbe(): SpareCpu {
  let loop = performance.eventLoopUtilization();
  let cores = cpuTimes();
  return () => {
    const loopNow = performance.eventLoopUtilization();
    const coresNow = cpuTimes();
    const busy = performance.eventLoopUtilization(loopNow, loop).utilization;
    const total = coresNow.total - cores.total;
    const idle = total > 0 ? (coresNow.idle - cores.idle) / total : 1;
    loop = loopNow;
    cores = coresNow;
    return busy < MAX_LOOP_BUSY && idle > MIN_IDLE;
  };
}

function cpuTimes(): { idle: number; total: number } {
  let idle = 0;
  let total = 0;
  for (const { times } of cpus()) {
    idle += times.idle;
    total += times.user + times.nice + times.sys + times.idle + times.irq;
  }
  return { idle, total };
}

/**
 * How many async events may run at once on this node. A fixed number would either starve
 * functions that mostly wait (a 1 s handler at 8 slots drains 8 events a second, where Lambda
 * scales out to the function's concurrency) or flood the machine with CPU-bound ones. So the
 * limit starts at `min` and, while events wait for a slot, doubles each period the node had CPU
 * to spare, up to `max`; it halves back towards `min` in periods without a backlog, or when the
 * CPU is saturated. The concurrency gate (reserved and account concurrency) still applies to
 * every attempt.
 */
export class AsyncSlots {
  readonly #min: number;
  readonly #max: number;
  readonly #spare: SpareCpu;
  #limit: number;

  constructor(min: number, max: number, spare: SpareCpu) {
    this.#min = min;
    this.#max = Math.max(min, max);
    this.#spare = spare;
    this.#limit = min;
  }

  get limit(): number {
    return this.#limit;
  }

  /** The floor, which also sizes the look-ahead of leased events. */
  get min(): number {
    return this.#min;
  }

  /** One period has passed; `backlog` says whether events waited for a slot at its end. */
  adjust(backlog: boolean): void {
    this.#limit =
      backlog && this.#spare()
        ? Math.min(this.#max, this.#limit * 2)
        : Math.max(this.#min, Math.ceil(this.#limit / 2));
  }
}
