/** What one target (Fogbank or a peer) reports back to bench/peers.ts. */
import type { BurstResult, PathRequest, WarmResult } from './measure.js';

/** The one handler every target runs: CommonJS, so each peer loads it unchanged. */
export const NOOP_SOURCE = "exports.handler = async () => ({ statusCode: 200, body: 'ok' });\n";

/**
 * The burst's function Timeout, on every target: a hundred environments starting at once on a
 * small, shared machine can keep a no-op waiting for the CPU past the default 3 s.
 */
export const BURST_TIMEOUT_SECONDS = 30;

/**
 * How a warm path is reached: `invoke` is the Lambda Invoke API (or the peer's nearest
 * equivalent), `http` an HTTP front (function URL, httpApi route), `gateway` an API Gateway
 * route, `in-process` a call with no HTTP at all.
 */
export type PathKind = 'invoke' | 'http' | 'gateway' | 'in-process';

export interface WarmPath {
  readonly label: string;
  readonly kind: PathKind;
  readonly result: WarmResult;
}

/** First invocations of fresh functions (or processes), ms; `how` says what was fresh. */
export interface ColdSeries {
  readonly samples: number[];
  /** A short name for ratio columns. */
  readonly label: string;
  readonly how: string;
}

export interface TargetResult {
  readonly peer: string;
  readonly version: string;
  readonly cold: ColdSeries[];
  /** A 100-way burst of first invocations of one fresh function. */
  readonly burst?: BurstResult;
  /** PSS growth of the target's process tree across the burst, for `environments` new ones. */
  readonly idle?: { readonly environments: number; readonly deltaMiB: number };
  readonly warm: WarmPath[];
  /** Measures this target could not take, each with its reason (printed, never silent). */
  readonly skipped: string[];
}

/**
 * A target after its one-shot measures (cold start, burst, memory), still running: its warm
 * `paths` are measured by bench/peers.ts in turns with every other target's, so load from the
 * rest of the machine falls on all alike. `result.warm` holds paths measured on their own.
 */
export interface PreparedTarget {
  readonly result: TargetResult;
  readonly paths: readonly PathRequest[];
  stop(): Promise<void>;
}

export interface BenchOptions {
  readonly coldSamples: number;
  readonly warmSamples: number;
  readonly warmup: number;
  readonly seconds: number;
  readonly burst: number;
}
