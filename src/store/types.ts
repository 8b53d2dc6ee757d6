import type { AsyncEventStore } from '../invoke/async-event.js';
import type { RegistryStore } from './registry-types.js';
/**
 * The Store: every durable fact of a Fogbank server. One interface, two implementations
 * (SQLite embedded, PostgreSQL for a cluster), so every method is async and every
 * multi-row change is one transaction inside the implementation.
 */

/** A JSON value as stored (configuration documents are opaque to the store). */
export type JsonValue =
  string | number | boolean | null | readonly JsonValue[] | { readonly [key: string]: JsonValue };

export type JsonObject = { readonly [key: string]: JsonValue };

/** The version name of a function's unpublished, editable version. */
export const LATEST = '$LATEST';

/** One version of a function: `$LATEST` or a published version number. */
export interface FunctionVersionRecord {
  readonly functionName: string;
  /** `$LATEST` or a published version number (`1`, `2`, …). */
  readonly version: string;
  /** FunctionConfiguration.RevisionId: changes on every mutation of this version. */
  readonly revisionId: string;
  /** Hex SHA-256 naming the version's code (the deployment package, or a hot-reload path). */
  readonly codeSha256: string;
  /** Bytes of the deployment package (0 for hot-reload code); summed for account usage. */
  readonly codeSize: number;
  /**
   * The rest of the version's configuration, shaped by the control plane. Its `secrets` member
   * (a function's environment variables) is encrypted at rest by every store.
   */
  readonly config: JsonObject;
}

/** Where a listing of function versions resumes (exclusive). */
export interface FunctionVersionCursor {
  readonly functionName: string;
  /** 0 for `$LATEST`, the number for a published version. */
  readonly versionNumber: number;
}

export interface ListFunctionVersionsQuery {
  /** Only the versions of this function (ListVersionsByFunction). */
  readonly functionName?: string;
  readonly after?: FunctionVersionCursor;
  readonly limit: number;
  /** `latest`: one `$LATEST` row per function; `all`: published versions too. */
  readonly versions: 'latest' | 'all';
}

/**
 * A resource that carries tags. Only functions for now; event source mappings and
 * code signing configs join this union when they exist.
 */
export interface TaggedResource {
  readonly kind: 'function';
  /** The function name. */
  readonly id: string;
}

export type TagResult = 'tagged' | 'not-found' | 'too-many-tags';

export interface AccountUsageRecord {
  readonly functionCount: number;
  /** Sum of CodeSize over every stored function version and layer version. */
  readonly totalCodeSize: number;
}

export interface LogEvent {
  readonly logGroupName: string;
  readonly logStreamName: string;
  /** Milliseconds since the epoch, as reported by the producer. */
  readonly timestamp: number;
  /**
   * One line, or several separated by '\n' (a final '\n' ends the last one): each line is an
   * event of its own when read back, all with this timestamp.
   */
  readonly message: string;
}

/** One line of an appended message (LogEvent). */
export interface StoredLogEvent extends LogEvent {
  /** Ascending, never reused: a cursor for tailing. */
  readonly id: number;
  /** When the store accepted the event (ms since the epoch). */
  readonly ingestionTime: number;
}

export interface LogEventQuery {
  readonly logGroupName: string;
  readonly logStreamName?: string;
  /** Only events with a larger id. */
  readonly afterId?: number;
  /** Only events with timestamp >= startTime. */
  readonly startTime?: number;
  readonly limit: number;
}

export interface LogStreamSummary {
  readonly logStreamName: string;
  readonly firstEventTimestamp: number;
  readonly lastEventTimestamp: number;
}

export interface Store extends AsyncEventStore, RegistryStore {
  /**
   * Creates a function with its `$LATEST` version and tags, in one transaction.
   * Returns false (and changes nothing) when a function of that name exists.
   */
  createFunction(input: {
    readonly latest: FunctionVersionRecord;
    readonly createdAt: number;
    readonly tags: Readonly<Record<string, string>>;
  }): Promise<boolean>;

  /** One version of a function, or undefined when the function or the version does not exist. */
  getFunctionVersion(
    functionName: string,
    version: string,
  ): Promise<FunctionVersionRecord | undefined>;

  /** Function versions ordered by function name, then `$LATEST` first, then version number. */
  listFunctionVersions(query: ListFunctionVersionsQuery): Promise<FunctionVersionRecord[]>;

  /**
   * Replaces a version's revision, code and configuration if its stored RevisionId still
   * equals `expectedRevisionId` (compare-and-set). Returns false, changing nothing, otherwise.
   */
  replaceFunctionVersion(
    record: FunctionVersionRecord,
    expectedRevisionId: string,
  ): Promise<boolean>;

  /**
   * Adds a published version numbered one above the highest ever published for the function
   * (numbers are never reused, even after a delete). Returns the new version, or undefined
   * when the function does not exist.
   */
  publishFunctionVersion(
    functionName: string,
    source: Omit<FunctionVersionRecord, 'functionName' | 'version'>,
  ): Promise<string | undefined>;

  /** Deletes a function, all its versions and its tags. False when it does not exist. */
  deleteFunction(functionName: string): Promise<boolean>;

  /** Deletes one published version and its provisioned concurrency config. False when it does not exist. */
  deleteFunctionVersion(functionName: string, version: string): Promise<boolean>;

  /** Hex SHA-256 of every code package some function version or layer version refers to. */
  listReferencedCode(): Promise<Set<string>>;

  /** The resource's tags, or undefined when the resource does not exist. */
  getTags(resource: TaggedResource): Promise<Record<string, string> | undefined>;

  /** Adds or overwrites tags, unless the result would hold more than `maxTags`. */
  tagResource(
    resource: TaggedResource,
    tags: Readonly<Record<string, string>>,
    maxTags: number,
  ): Promise<TagResult>;

  /** Removes tags by key (missing keys are ignored). False when the resource does not exist. */
  untagResource(resource: TaggedResource, keys: readonly string[]): Promise<boolean>;

  /** Figures for GetAccountSettings' AccountUsage. */
  getAccountUsage(): Promise<AccountUsageRecord>;

  /** Appends events in one transaction (all or none). */
  appendLogEvents(events: readonly LogEvent[]): Promise<void>;

  /** Events of a group (optionally one stream), ascending id. */
  getLogEvents(query: LogEventQuery): Promise<StoredLogEvent[]>;

  /** The streams of a group with their first and last event timestamps, by stream name. */
  listLogStreams(logGroupName: string): Promise<LogStreamSummary[]>;

  /** Releases the connection; the store is unusable afterwards. */
  close(): Promise<void>;
}
