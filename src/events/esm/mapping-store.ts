import type { EsmState, ListedMapping, MappingListQuery, MappingRecord } from './types.js';

/**
 * Durable state of event source mappings: the mappings themselves and the stream checkpoints of
 * each (so a restart resumes where processing stopped). Every method is one atomic step, so a
 * PostgreSQL implementation can follow the SQLite one (src/store/sqlite/esm-tables.ts).
 */
export interface EventSourceMappingStore {
  /**
   * Inserts the mapping unless one with the same source key and function ARN exists (Lambda allows
   * one mapping per event source and function); returns that one instead, changing nothing.
   */
  insertMapping(mapping: MappingRecord): Promise<MappingRecord | undefined>;
  getMapping(uuid: string): Promise<MappingRecord | undefined>;
  /** Mappings in creation order, filtered and paged. */
  listMappings(query: MappingListQuery): Promise<ListedMapping[]>;
  /** Every mapping, in creation order (pollers are started from it). */
  allMappings(): Promise<MappingRecord[]>;
  /**
   * Replaces the mapping if its stored state is still `expectedState` (compare-and-set); false,
   * changing nothing, otherwise. A changed source key or function ARN that collides with another
   * mapping returns that mapping instead.
   */
  replaceMapping(
    mapping: MappingRecord,
    expectedState: EsmState,
  ): Promise<{ readonly replaced: boolean; readonly conflict?: MappingRecord }>;
  /** Records how the last batch went (stream mappings). */
  setLastProcessingResult(uuid: string, result: string): Promise<void>;
  /** Deletes the mapping and its checkpoints. False when it did not exist. */
  deleteMapping(uuid: string): Promise<boolean>;

  /** The checkpoint (sequence number processed up to) of each shard of a stream mapping. */
  getCheckpoints(uuid: string): Promise<Map<string, string>>;
  /** Stores a shard's checkpoint; it survives restarts. */
  putCheckpoint(uuid: string, shardId: string, sequenceNumber: string): Promise<void>;
}
