/**
 * The measurements every target gets, written once so each peer is measured the same way: a
 * request is any async call that throws unless the no-op handler answered.
 */
import { timed } from '../lib.js';

export type Request = () => Promise<void>;

/** Caller counts for the throughput runs (issue 3: C = 1, 8, 32). */
export const CALLERS = [1, 8, 32] as const;

export interface WarmResult {
  /** Sequential round trips of one caller, in ms, in the order taken. */
  readonly samples: number[];
  /** Completed requests per second for each caller count in CALLERS. */
  readonly rps: Record<number, number>;
}

export interface BurstResult {
  readonly n: number;
  readonly succeeded: number;
  /** From the first request sent to the last answer. */
  readonly wallMs: number;
  /** The first failure's message, if any. */
  readonly error?: string;
}

/** Warm latency (after `warmup` untimed calls) and throughput at each caller count. */
export async function measureWarm(
  request: Request,
  options: { warmSamples: number; warmup: number; seconds: number },
): Promise<WarmResult> {
  for (let i = 0; i < options.warmup; i++) {
    await request();
  }
  const samples: number[] = [];
  for (let i = 0; i < options.warmSamples; i++) {
    samples.push(await timed(request));
  }
  const rps: Record<number, number> = {};
  for (const callers of CALLERS) {
    rps[callers] = await throughput(request, callers, options.seconds);
  }
  return { samples, rps };
}

/** Requests per second completed by `callers` closed-loop callers over `seconds`. */
export async function throughput(
  request: Request,
  callers: number,
  seconds: number,
): Promise<number> {
  let done = 0;
  const t0 = process.hrtime.bigint();
  const deadline = Date.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: callers }, async () => {
      while (Date.now() < deadline) {
        await request();
        done += 1;
      }
    }),
  );
  return done / (Number(process.hrtime.bigint() - t0) / 1e9);
}

/** `n` requests sent at once (the first invocations of a fresh function): all must succeed. */
export async function measureBurst(request: Request, n: number): Promise<BurstResult> {
  const t0 = process.hrtime.bigint();
  const outcomes = await Promise.allSettled(Array.from({ length: n }, () => request()));
  const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
  const failed = outcomes.find((o) => o.status === 'rejected');
  const succeeded = outcomes.filter((o) => o.status === 'fulfilled').length;
  return failed === undefined
    ? { n, succeeded, wallMs }
    : { n, succeeded, wallMs, error: String(failed.reason) };
}
