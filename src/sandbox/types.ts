/**
 * The contract between the invocation service and execution environments.
 * The invoke layer resolves a function version into an EnvironmentSpec and hands
 * invocations to an EnvironmentPool; everything below that line lives in src/sandbox.
 */

/** How the executor isolates an environment (reported by `fogbank doctor`). */
export type Isolation = 'namespace' | 'process';

/** Everything needed to start an execution environment for one function version. */
export interface EnvironmentSpec {
  /**
   * Environments are pooled per key: an environment never serves another key.
   * The invoke layer builds it from function name, version, and the version's revision,
   * so a changed $LATEST gets fresh environments.
   */
  readonly key: string;
  readonly functionName: string;
  /** `$LATEST` or a published version number: the executed version, never an alias. */
  readonly functionVersion: string;
  /** Lambda runtime identifier, e.g. `nodejs20.x`, `python3.12`, `provided.al2023`. */
  readonly runtime: string;
  readonly handler: string;
  readonly memorySizeMb: number;
  readonly timeoutSeconds: number;
  readonly ephemeralStorageMb: number;
  /** Host directory holding the unpacked code; mounted read-only at /var/task. */
  readonly codeDir: string;
  /** Host directories of the function's layers, in order; merged read-only under /opt. */
  readonly layerDirs: readonly string[];
  /** The function's own environment variables (already validated: no reserved names). */
  readonly variables: Readonly<Record<string, string>>;
  readonly logGroupName: string;
  /** `Text` (default) or `JSON` (LoggingConfig.LogFormat). */
  readonly logFormat: 'Text' | 'JSON';
  /** LoggingConfig.ApplicationLogLevel, only meaningful with JSON logs. */
  readonly applicationLogLevel?: string;
  readonly region: string;
  readonly accountId: string;
  /** Execution-role credentials handed to the function (AWS_ACCESS_KEY_ID, …). */
  readonly credentials: {
    readonly accessKeyId: string;
    readonly secretAccessKey: string;
    readonly sessionToken: string;
  };
  /** Fogbank's own API, given to functions as AWS_ENDPOINT_URL so the SDK inside reaches it. */
  readonly apiEndpoint: { readonly host: string; readonly port: number };
  /**
   * AWS_LAMBDA_INITIALIZATION_TYPE (default `on-demand`). The pool sets
   * `provisioned-concurrency` itself on the environments it starts for provision().
   */
  readonly initializationType?: 'on-demand' | 'provisioned-concurrency';
}

/** One invocation handed to an environment. */
export interface InvokeRequest {
  readonly requestId: string;
  /** The event bytes, delivered verbatim as the /next body. */
  readonly payload: Buffer;
  /** ARN used to invoke (qualified when a version or alias was named). */
  readonly invokedFunctionArn: string;
  /** Decoded JSON of X-Amz-Client-Context, if the caller sent one. */
  readonly clientContext?: string;
  /** X-Ray trace header for Lambda-Runtime-Trace-Id. */
  readonly traceId: string;
  /**
   * Where a streamed /response goes as it arrives (InvokeWithResponseStream, Function URLs in
   * RESPONSE_STREAM mode). Without it a streamed response is buffered like any other.
   */
  readonly responseStream?: ResponseStreamSink;
}

/**
 * The receiving end of a streamed response (spec §2.4). The invocation's result still settles
 * through the pool: for a streamed response its payload is empty, or the mid-stream error.
 */
export interface ResponseStreamSink {
  /** The runtime began a streamed /response with this Content-Type. Called once, first. */
  start(contentType: string): void;
  /** The next bytes of the response; `next` is called when the sink can take more. */
  write(chunk: Buffer, next: () => void): void;
}

/**
 * The outcome of one invocation. Function failures are data here, never exceptions:
 * - `success`: the runtime posted /response; `payload` is the response bytes.
 * - `error`: the runtime posted /error (handler error); `payload` is its error document.
 * - `timeout`: the deadline passed; the environment was killed. `errorType` = `Sandbox.Timedout`.
 * - `failure`: init error, crash, or out of memory; the environment is gone.
 *   `errorType` is e.g. `Runtime.ImportModuleError`, `Runtime.ExitError`, `Runtime.OutOfMemory`.
 */
export interface InvokeResult {
  readonly status: 'success' | 'error' | 'timeout' | 'failure';
  readonly payload: Buffer;
  readonly errorType?: string;
  /** Output the runtime wrote during the init phase (only on a cold start). */
  readonly initLogs: string;
  /** Output the runtime wrote during this invocation, complete lines, each ending in `\n`. */
  readonly functionLogs: string;
  /** Wall time from handing the event to the runtime until its response, in ms (fractional). */
  readonly durationMs: number;
  /** Set on the first invocation of a new environment: spawn until the first /next, in ms. */
  readonly initDurationMs?: number;
  /** Peak memory of the environment so far, in MB (measured, not guessed). */
  readonly maxMemoryUsedMb: number;
  readonly environmentId: string;
  /** `YYYY/MM/DD/[<version>]<32 hex>`, one per environment. */
  readonly logStreamName: string;
}

/** Counts of environments, for GetAccountSettings-style reports and tests. */
export interface PoolStats {
  readonly total: number;
  readonly busy: number;
  readonly idle: number;
}

/**
 * Environments per EnvironmentSpec.key: reuse a warm idle one, else start a new one
 * (never queue an invocation behind a busy environment).
 */
export interface EnvironmentPool {
  /** The isolation this pool provides. */
  readonly isolation: Isolation;
  /** Runs one invocation on a warm or new environment of `spec.key`. Never rejects for function errors. */
  invoke(spec: EnvironmentSpec, request: InvokeRequest): Promise<InvokeResult>;
  /**
   * Provisioned concurrency: keeps `count` environments of `spec.key` initialized ahead of
   * traffic (spawned, and init finished with the runtime's first /next, before any invocation).
   * They run with AWS_LAMBDA_INITIALIZATION_TYPE=provisioned-concurrency, take the invocations
   * of `spec.key` before any on-demand environment, are never reaped for idleness, report no
   * init duration on their first invocation, and are replaced when one dies (timeout, crash,
   * drain). Invocations beyond them spill over to on-demand environments.
   * Resolves once the count is reached, with how many are initialized; rejects with the reason
   * when an environment fails its init (the key then has no provisioned environments).
   * `count` 0 releases them: they become ordinary on-demand environments, reaped when idle.
   * A later call replaces the count of an earlier one still in progress.
   */
  provision(spec: EnvironmentSpec, count: number): Promise<{ available: number }>;
  /** Stops the idle environments of `key` now and the busy ones when their invocation ends. */
  drain(key: string): void;
  stats(key?: string): PoolStats;
  /** Memory reserved by live environments and blank runtimes (Σ MemorySize), and the limit, in MB. */
  readonly memory: { readonly reservedMb: number; readonly limitMb: number };
  /** Pre-booted blank runtimes ready to become a function like `spec` (or of any kind). */
  blanksReady(spec?: EnvironmentSpec): number;
  /** Lets in-flight invocations finish within `graceMs`, then stops every environment. */
  stop(graceMs: number): Promise<void>;
}
