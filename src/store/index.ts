export {
  openSqliteStore,
  type SqliteHandle,
  type SqliteStoreOptions,
} from './sqlite/sqlite-store.js';
export {
  LATEST,
  type AccountUsageRecord,
  type FunctionVersionCursor,
  type FunctionVersionRecord,
  type JsonObject,
  type JsonValue,
  type ListFunctionVersionsQuery,
  type LogEvent,
  type LogEventQuery,
  type LogStreamSummary,
  type Store,
  type StoredLogEvent,
  type TagResult,
  type TaggedResource,
} from './types.js';
export type * from './registry-types.js';
