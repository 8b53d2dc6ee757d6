/**
 * The measurements every target gets, written once so each peer is measured the same way: a
 * request is any async call that throws unless the no-op handler answered.
 */
import { timed } from '../lib.js';
import type { PathKind, WarmPath } from './result.js';

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

/**
 * Warm latency (after `warmup` untimed calls) and throughput at each caller count of several
 * paths to one target. The paths take turns (one latency sample each per round, one-second
 * throughput slices in rotation), so load from elsewhere on the machine falls on all alike.
 */
export async function measureWarm(
  requests: readonly Request[],
  options: { warmSamples: number; warmup: number; seconds: number },
): Promise<WarmResult[]> {
  for (const request of requests) {
    for (let i = 0; i < options.warmup; i++) {
      await request();
    }
  }
  const results = requests.map((): WarmResult => ({ samples: [], rps: {} }));
  for (let i = 0; i < options.warmSamples; i++) {
    // Each round starts one path further on, so no path always follows the same neighbour
    // (whose server may still be busy after answering).
    for (let j = 0; j < requests.length; j++) {
      const k = (i + j) % requests.length;
      results[k]!.samples.push(await timed(requests[k]!));
    }
  }
  for (const callers of CALLERS) {
    // Untimed: lets each target scale out to `callers` environments (or workers) first, so the
    // rate is that of warm ones, not of cold starts.
    for (const request of requests) {
      await throughput(request, callers, 0.5);
    }
    const done = requests.map(() => 0);
    const elapsed = requests.map(() => 0);
    for (let slice = 0; slice < options.seconds; slice++) {
      for (const [k, request] of requests.entries()) {
        const run = await throughput(request, callers, 1);
        done[k]! += run.done;
        elapsed[k]! += run.seconds;
      }
    }
    results.forEach((r, k) => {
      r.rps[callers] = done[k]! / elapsed[k]!;
    });
  }
  return results;
}

/** Requests completed by `callers` closed-loop callers over about `seconds`. */
export async function throughput(
  request: Request,
  callers: number,
  seconds: number,
): Promise<{ done: number; seconds: number }> {
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
  return { done, seconds: Number(process.hrtime.bigint() - t0) / 1e9 };
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

/** One way to reach a target's warm function, as measureWarm takes it. */
export interface PathRequest {
  readonly label: string;
  readonly kind: PathKind;
  readonly request: Request;
}

/** measureWarm over labelled paths. */
export async function measurePaths(
  paths: readonly PathRequest[],
  options: { warmSamples: number; warmup: number; seconds: number },
): Promise<WarmPath[]> {
  const results = await measureWarm(
    paths.map((p) => p.request),
    options,
  );
  return paths.map((p, k) => ({ label: p.label, kind: p.kind, result: results[k]! }));
}
