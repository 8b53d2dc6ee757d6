/**
 * The single entry point every caller of a function goes through (the Invoke API today;
 * async queues, event source mappings and HTTP triggers later), and what it needs
 * from the function registry.
 */

export type InvocationType = 'RequestResponse' | 'Event' | 'DryRun';
export type LogType = 'None' | 'Tail';

/** One Invoke call as the API received it (already parsed from the HTTP request). */
export interface InvokeInput {
  /** The FunctionName path label as sent: name, partial ARN or ARN, possibly qualified. */
  readonly functionName: string;
  /** The Qualifier query parameter, if present. */
  readonly qualifier?: string;
  readonly invocationType: InvocationType;
  readonly logType: LogType;
  /** The X-Amz-Client-Context header as sent (base64 of a JSON object). */
  readonly clientContext?: string;
  readonly payload: Buffer;
  /**
   * The API request's x-amzn-RequestId: on AWS it is also the invocation's request id (the one in
   * START/END/REPORT and context.awsRequestId). A fresh one is made when absent.
   */
  readonly requestId?: string;
}

/** What the API writes back: status, the X-Amz-* headers and the raw body. */
export interface InvokeOutput {
  readonly statusCode: 200 | 202 | 204;
  /** X-Amz-Executed-Version (RequestResponse only). */
  readonly executedVersion?: string;
  /** X-Amz-Function-Error: `Unhandled` when the function or its runtime failed. */
  readonly functionError?: 'Unhandled';
  /** X-Amz-Log-Result: base64 of the last 4 KB of the invocation's log (LogType=Tail). */
  readonly logResult?: string;
  readonly payload: Buffer;
}

export interface Invoker {
  /**
   * Resolves, validates and runs one invocation. Throws a ServiceError for anything
   * AWS answers with an error status (unknown function, bad payload, Pending state, throttle);
   * function failures come back as 200 with `functionError`.
   */
  invoke(input: InvokeInput): Promise<InvokeOutput>;
}

/** The head of a streamed invocation response, known once the function starts answering. */
export interface InvocationStreamHead {
  /** X-Amz-Executed-Version. */
  readonly executedVersion: string;
  /**
   * The Content-Type the function streamed with (`application/vnd.awslambda.http-integration-response`
   * when it wrote an HTTP prelude); `application/json` for a buffered response.
   */
  readonly contentType: string;
}

/** How a streamed invocation ended: InvokeWithResponseStreamCompleteEvent's members. */
export interface InvocationStreamCompletion {
  /** The error type when the function failed (before or in the middle of its stream). */
  readonly errorCode?: string;
  /** The function's error document. */
  readonly errorDetails?: string;
  /** Base64 of the last 4 KB of the invocation's log (LogType=Tail). */
  readonly logResult?: string;
}

/**
 * Where a streamed invocation's response goes: `head` once, then the chunks in order, then
 * `complete` once. Nothing is called when the invocation fails before it runs (the call
 * throws instead). `head` comes before any chunk, even when the function fails at once.
 */
export interface InvocationStream {
  head(head: InvocationStreamHead): void;
  /** The next bytes; call `next` once the stream can take more (the function waits until then). */
  chunk(bytes: Buffer, next: () => void): void;
  complete(completion: InvocationStreamCompletion): void;
}

/** InvokeWithResponseStream takes these invocation types only. */
export type StreamInvocationType = Exclude<InvocationType, 'Event'>;

export interface StreamingInvoker {
  /**
   * As Invoker.invoke, with the response streamed into `stream` as the function writes it (a
   * function that does not stream delivers its whole payload as one chunk). Resolves once the
   * stream is complete: 200, or 204 for DryRun (then `stream` is never called). Throws a
   * ServiceError for everything AWS answers before a stream starts.
   * https://docs.aws.amazon.com/lambda/latest/api/API_InvokeWithResponseStream.html
   */
  invokeStream(
    input: InvokeInput & { readonly invocationType: StreamInvocationType },
    stream: InvocationStream,
  ): Promise<{ readonly statusCode: 200 | 204; readonly executedVersion?: string }>;
}

/** A function version resolved for invocation: its state and everything an environment needs. */
export interface ResolvedVersion {
  readonly functionName: string;
  /** Unqualified function ARN. */
  readonly functionArn: string;
  /** The executed version: `$LATEST` or a number (an alias is resolved away). */
  readonly version: string;
  /** FunctionConfiguration.State (`Pending`, `Active`, `Failed`, …). */
  readonly state: string;
  /** Changes on every update of this version: environments of an older revision are never reused. */
  readonly revisionId: string;
  readonly runtime: string;
  readonly handler: string;
  readonly role: string;
  readonly memorySizeMb: number;
  readonly timeoutSeconds: number;
  readonly ephemeralStorageMb: number;
  /** Host directory with the unpacked code (or, for hot-reload functions, the user's directory). */
  readonly codeDir: string;
  /** True when codeDir is a live hot-reload directory that may change between invocations. */
  readonly hotReload: boolean;
  readonly layerDirs: readonly string[];
  readonly variables: Readonly<Record<string, string>>;
  readonly logGroupName: string;
  readonly logFormat: 'Text' | 'JSON';
  readonly applicationLogLevel?: string;
  /**
   * The function's reserved concurrency (PutFunctionConcurrency), when it has one: at most this
   * many of its invocations run at once, 0 throttles every one of them.
   */
  readonly reservedConcurrency?: number;
}

/** The registry side of invocation (implemented in src/control). */
export interface FunctionResolver {
  /**
   * Resolves a function name (already split from its qualifier) and an optional qualifier
   * (`$LATEST`, a version number, or an alias) to a version; an alias with routing picks its
   * additional version with the probability of its weight, on every call. Throws ResourceNotFoundException
   * (`Function not found: <arn>`) when either does not exist.
   */
  resolve(functionName: string, qualifier: string | undefined): Promise<ResolvedVersion>;
  /**
   * Σ reserved concurrency over all functions (kept in memory): functions without a reservation
   * share the account limit minus this.
   */
  totalReservedConcurrency(): number;
  /** Registers a listener called with the function name whenever a function changes or is deleted. */
  onChange(listener: (functionName: string) => void): void;
}

/** A function's asynchronous invocation settings for one qualifier (PutFunctionEventInvokeConfig). */
export interface EventInvokeConfig {
  /** 0–2; AWS's default is 2. */
  readonly maximumRetryAttempts: number;
  /** 60–21600; AWS's default is 21600 (6 hours). */
  readonly maximumEventAgeInSeconds: number;
  readonly onSuccess?: string;
  readonly onFailure?: string;
}

/** Where the async dispatcher finds per-qualifier settings and dead-letter targets. */
export interface AsyncConfigSource {
  /** The config of exactly this qualifier (`$LATEST` when none), or AWS's defaults. */
  eventInvokeConfig(
    functionName: string,
    qualifier: string | undefined,
  ): Promise<EventInvokeConfig>;
  /** DeadLetterConfig.TargetArn of the executed version, if set. */
  deadLetterTarget(functionName: string, version: string): Promise<string | undefined>;
}
