import type { AccountContext } from '../core/arn.js';
import { functionArn, parseFunctionRef } from '../core/arn.js';
import type { Clock } from '../core/clock.js';
import {
  ServiceError,
  invalidParameter,
  invalidRequestContent,
  requestTooLarge,
  resourceConflict,
} from '../core/errors.js';
import { newRequestId, newTraceId } from '../core/ids.js';
import { invocationLog, logTail } from '../observe/invocation-log.js';
import type { LogWriter } from '../observe/log-writer.js';
import type {
  EnvironmentPool,
  EnvironmentSpec,
  InvokeResult,
  ResponseStreamSink,
} from '../sandbox/types.js';
import type { AsyncQueue } from './async-queue.js';
import type { AsyncRunner } from './async-dispatcher.js';
import type { ConcurrencyGate } from './concurrency.js';
import { environmentKey, environmentSpec } from './environment-spec.js';
import { HotReloadWatcher } from './hot-reload.js';
import type {
  FunctionResolver,
  InvocationStream,
  InvokeInput,
  InvokeOutput,
  Invoker,
  ResolvedVersion,
  StreamingInvoker,
  StreamInvocationType,
} from './types.js';

/** How a runtime identifier is reported in INIT_START (e.g. `nodejs:20.20.2`) and its ARN. */
export interface RuntimeVersionInfo {
  readonly runtimeVersion: string;
  readonly runtimeVersionArn: string;
}

export interface InvokerOptions {
  readonly resolver: FunctionResolver;
  readonly pool: EnvironmentPool;
  readonly logs: LogWriter;
  readonly ctx: AccountContext;
  readonly clock: Clock;
  /** Fogbank's API as functions reach it (AWS_ENDPOINT_URL). */
  readonly apiEndpoint: { readonly host: string; readonly port: number };
  readonly describeRuntime: (runtime: string) => RuntimeVersionInfo;
  readonly gate: ConcurrencyGate;
  /** Where Event invocations go; they are answered 202 once stored. */
  readonly asyncQueue: AsyncQueue;
}

/** An invocation that passed validation, about to run. */
interface AdmittedCall {
  readonly version: ResolvedVersion;
  readonly qualifier: string | undefined;
  readonly requestId: string;
  readonly payload: Buffer;
  /** The decoded JSON of X-Amz-Client-Context. */
  readonly clientContext: string | undefined;
}

/** Lambda's limit on the base64 X-Amz-Client-Context header. */
const MAX_CLIENT_CONTEXT = 3583;
/** Asynchronous payloads may be 1 MB (256 KB before October 2025). */
const MAX_ASYNC_PAYLOAD = 1_048_576;

/**
 * The single invocation entry point: resolves the qualifier, validates the request,
 * runs it on an environment and writes its log. A buffered and a streamed invocation share
 * all of it; only where the response goes differs.
 * https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html
 */
export class FunctionInvoker implements Invoker, StreamingInvoker, AsyncRunner {
  readonly #o: InvokerOptions;
  /**
   * Pool keys in use per function, each with the version it runs, so that a change to a
   * function drains the environments of versions it made stale (and only those).
   */
  readonly #keys = new Map<string, Map<string, string>>();
  readonly #hotReload: HotReloadWatcher;

  constructor(options: InvokerOptions) {
    this.#o = options;
    this.#hotReload = new HotReloadWatcher((key) => {
      options.pool.drain(key);
    });
    options.resolver.onChange((name) => {
      void this.#drainStale(name);
    });
  }

  async invoke(input: InvokeInput): Promise<InvokeOutput> {
    const call = await this.#admit(input);
    if (input.invocationType === 'DryRun') {
      return { statusCode: 204, payload: Buffer.alloc(0) };
    }
    const { version, qualifier, requestId, payload } = call;
    if (input.invocationType === 'Event') {
      if (payload.length > MAX_ASYNC_PAYLOAD) {
        throw requestTooLarge(
          `Request must be smaller than ${MAX_ASYNC_PAYLOAD} bytes for the InvokeAsync operation`,
        );
      }
      await this.#o.asyncQueue.accept({
        requestId,
        functionName: version.functionName,
        ...(qualifier !== undefined ? { qualifier } : {}),
        payload,
        enqueuedAt: this.#o.clock.now(),
      });
      return { statusCode: 202, payload: Buffer.alloc(0) };
    }
    const { result, log } = await this.#runSync(call, undefined);
    return {
      statusCode: 200,
      executedVersion: version.version,
      ...(result.status === 'success' ? {} : { functionError: 'Unhandled' as const }),
      ...(input.logType === 'Tail' ? { logResult: logTail(log) } : {}),
      payload: result.payload,
    };
  }

  async invokeStream(
    input: InvokeInput & { readonly invocationType: StreamInvocationType },
    stream: InvocationStream,
  ): Promise<{ readonly statusCode: 200 | 204; readonly executedVersion?: string }> {
    const call = await this.#admit(input);
    if (input.invocationType === 'DryRun') {
      return { statusCode: 204 };
    }
    const executedVersion = call.version.version;
    // An object, not a `let`: the flag is set in a callback, which narrowing cannot see.
    const response = { streamed: false };
    const { result, log } = await this.#runSync(call, {
      start: (contentType) => {
        response.streamed = true;
        stream.head({ executedVersion, contentType });
      },
      write: (chunk, next) => {
        stream.chunk(chunk, next);
      },
    });
    if (!response.streamed) {
      // A function that does not stream answers in one piece.
      stream.head({ executedVersion, contentType: 'application/json' });
      if (result.status === 'success' && result.payload.length > 0) {
        stream.chunk(result.payload, () => undefined);
      }
    }
    stream.complete({
      ...(result.status === 'success'
        ? {}
        : { errorCode: result.errorType ?? 'Unhandled', errorDetails: result.payload.toString() }),
      ...(input.logType === 'Tail' ? { logResult: logTail(log) } : {}),
    });
    return { statusCode: 200, executedVersion };
  }

  /**
   * What every invocation goes through before it runs: qualifier resolution, the function's
   * state, payload and client-context validation. Throws AWS's errors.
   */
  async #admit(input: InvokeInput): Promise<AdmittedCall> {
    const { ctx } = this.#o;
    const ref = parseFunctionRef(input.functionName, ctx);
    if (
      ref.qualifier !== undefined &&
      input.qualifier !== undefined &&
      ref.qualifier !== input.qualifier
    ) {
      throw invalidParameter(
        'The derived qualifier from the function name does not match the specified qualifier.',
      );
    }
    const qualifier = input.qualifier ?? ref.qualifier;
    const version = await this.#o.resolver.resolve(ref.name, qualifier);
    if (version.state !== 'Active') {
      throw resourceConflict(
        `The operation cannot be performed at this time. The function is currently in the following state: ${version.state}`,
      );
    }
    const payload = checkPayload(input.payload);
    const clientContext = decodeClientContext(input.clientContext);
    return {
      version,
      qualifier,
      requestId: input.requestId ?? newRequestId(),
      payload,
      clientContext,
    };
  }

  /** A synchronous invocation under a concurrency lease (429 when there is none to take). */
  async #runSync(
    call: AdmittedCall,
    responseStream: ResponseStreamSink | undefined,
  ): Promise<{ result: InvokeResult; log: string }> {
    const lease = this.#acquire(call.version);
    if (lease instanceof ServiceError) {
      throw lease;
    }
    try {
      return await this.#execute(
        call.version,
        call.qualifier,
        call.requestId,
        call.payload,
        call.clientContext,
        responseStream,
      );
    } finally {
      lease.release();
    }
  }

  async runAttempt(
    version: ResolvedVersion,
    qualifier: string | undefined,
    requestId: string,
    payload: Buffer,
  ): Promise<InvokeResult | 'throttled'> {
    const lease = this.#acquire(version);
    if (lease instanceof ServiceError) {
      return 'throttled';
    }
    try {
      return (await this.#execute(version, qualifier, requestId, payload, undefined, undefined))
        .result;
    } catch (err) {
      // The node has no memory left for another environment: retried like any throttle.
      if (err instanceof ServiceError && err.statusCode === 429) {
        return 'throttled';
      }
      throw err;
    } finally {
      lease.release();
    }
  }

  #acquire(version: ResolvedVersion): ReturnType<ConcurrencyGate['tryAcquire']> {
    return this.#o.gate.tryAcquire(
      version.functionName,
      version.reservedConcurrency,
      this.#o.resolver.totalReservedConcurrency(),
    );
  }

  /** Runs one invocation on an environment and writes its log. */
  async #execute(
    version: ResolvedVersion,
    qualifier: string | undefined,
    requestId: string,
    payload: Buffer,
    clientContext: string | undefined,
    responseStream: ResponseStreamSink | undefined,
  ): Promise<{ result: InvokeResult; log: string }> {
    const spec = this.#environmentSpec(version);
    if (version.hotReload) {
      // An edit made before this request was sent is already queued as a file-watch event:
      // one turn of the event loop lets it drain the stale environments first.
      await new Promise((resolve) => setImmediate(resolve));
    }
    const result = await this.#o.pool.invoke(spec, {
      requestId,
      payload,
      invokedFunctionArn: functionArn(this.#o.ctx, version.functionName, qualifier),
      traceId: newTraceId(this.#o.clock.now()),
      ...(clientContext !== undefined ? { clientContext } : {}),
      ...(responseStream !== undefined ? { responseStream } : {}),
    });
    return { result, log: this.#writeLog(version, requestId, result) };
  }

  /** Stops watching hot-reload directories. */
  stop(): void {
    this.#hotReload.close();
  }

  #environmentSpec(v: ResolvedVersion): EnvironmentSpec {
    const spec = environmentSpec(v, this.#o.ctx, this.#o.apiEndpoint);
    let keys = this.#keys.get(v.functionName);
    if (!keys) {
      keys = new Map();
      this.#keys.set(v.functionName, keys);
    }
    if (!keys.has(spec.key)) {
      keys.set(spec.key, v.version);
      if (v.hotReload) {
        this.#hotReload.watch(spec.key, v.codeDir);
      }
    }
    return spec;
  }

  /**
   * After a change to a function, drains the environments whose version no longer resolves to
   * the code and configuration they run: an updated $LATEST or a deleted version or function.
   * Alias changes and publishing leave every environment warm.
   */
  async #drainStale(name: string): Promise<void> {
    const keys = this.#keys.get(name);
    if (!keys) {
      return;
    }
    for (const [key, version] of keys) {
      const current = await this.#o.resolver.resolve(name, version).then(
        (resolved) => environmentKey(resolved),
        () => undefined,
      );
      if (current !== key && keys.delete(key)) {
        this.#hotReload.unwatch(key);
        this.#o.pool.drain(key);
      }
    }
    if (keys.size === 0 && this.#keys.get(name) === keys) {
      this.#keys.delete(name);
    }
  }

  #writeLog(v: ResolvedVersion, requestId: string, result: InvokeResult): string {
    const finishedAt = this.#o.clock.now();
    const log = invocationLog(
      {
        requestId,
        version: v.version,
        functionName: v.functionName,
        memorySizeMb: v.memorySizeMb,
        timeoutSeconds: v.timeoutSeconds,
        logFormat: v.logFormat,
        finishedAt,
        ...this.#o.describeRuntime(v.runtime),
      },
      result,
    );
    this.#o.logs.write(v.logGroupName, result.logStreamName, finishedAt, log);
    return log;
  }
}

/** An empty body is the event `{}`; anything else must be JSON (any JSON value). */
function checkPayload(payload: Buffer): Buffer {
  if (payload.length === 0) {
    return Buffer.from('{}');
  }
  try {
    JSON.parse(payload.toString('utf8'));
  } catch (err) {
    throw invalidRequestContent(
      `Could not parse request body into json: Could not parse payload into json: ${(err as Error).message}`,
    );
  }
  return payload;
}

/** X-Amz-Client-Context is base64 of a JSON object; the runtime receives the decoded JSON. */
function decodeClientContext(header: string | undefined): string | undefined {
  if (header === undefined || header === '') {
    return undefined;
  }
  if (header.length > MAX_CLIENT_CONTEXT) {
    throw invalidParameter(
      `Client context must be no larger than ${MAX_CLIENT_CONTEXT} bytes (base64-encoded).`,
    );
  }
  const json = Buffer.from(header, 'base64').toString('utf8');
  try {
    const parsed: unknown = JSON.parse(json);
    if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) {
      return json;
    }
  } catch {
    // Falls through to the error below.
  }
  throw invalidParameter('Client context must be a valid Base64-encoded JSON object.');
}
