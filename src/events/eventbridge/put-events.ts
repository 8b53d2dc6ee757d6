/**
 * PutEvents: each entry becomes an event on its bus, is matched against every enabled rule of
 * that bus that has an event pattern, and goes to the targets of each rule it matches.
 * https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutEvents.html
 */
import { compilePattern, type EventPattern } from '../filter/index.js';
import { busNameOf } from './arns.js';
import { findBus, type Deps } from './deps.js';
import { envelope } from './envelope.js';
import { busNotFound, validation } from './errors.js';
import {
  DEFAULT_BUS,
  type EventBridgeService,
  type EventEntry,
  type EventEntryResult,
  type StoredRule,
} from './types.js';

type PutEventsOperations = Pick<EventBridgeService, 'putEvents' | 'putEventsToBus'>;

/** "The total entry size must be less than 256KB." */
const MAX_REQUEST_BYTES = 256 * 1024;
/** Compiled patterns are kept by their text; past this many the cache starts over. */
const MAX_CACHED_PATTERNS = 1000;

export function putEventsOperations(deps: Deps): PutEventsOperations {
  const patterns = new Map<string, EventPattern | undefined>();

  const matches = (rule: StoredRule, event: unknown): boolean => {
    if (rule.state === 'DISABLED' || rule.eventPattern === undefined) {
      return false;
    }
    if (!patterns.has(rule.eventPattern)) {
      if (patterns.size >= MAX_CACHED_PATTERNS) {
        patterns.clear();
      }
      try {
        patterns.set(rule.eventPattern, compilePattern(rule.eventPattern));
      } catch (err) {
        // PutRule validated it; only a stored pattern a newer engine rejects lands here.
        deps.warn(`EventBridge: rule ${rule.name} has an unusable pattern: ${String(err)}`);
        patterns.set(rule.eventPattern, undefined);
      }
    }
    return patterns.get(rule.eventPattern)?.matches(event) === true;
  };

  const putOne = async (entry: EventEntry, busName: string): Promise<EventEntryResult> => {
    const problem = entryProblem(entry);
    if (problem) {
      return problem;
    }
    const event = envelope(deps.ctx, {
      source: entry.source ?? '',
      detailType: entry.detailType ?? '',
      resources: entry.resources ?? [],
      detail: JSON.parse(entry.detail ?? '{}') as unknown,
      timeMs: entry.time ?? deps.clock.now(),
    });
    if ((await findBus(deps, busName)) === undefined) {
      // AWS accepts events for a bus that does not exist and drops them without a word.
      deps.warn(`EventBridge: event bus ${busName} does not exist; event ${event.id} was dropped.`);
      return { eventId: event.id };
    }
    const rules = await deps.store.listRules(busName, '');
    try {
      await Promise.all(rules.filter((r) => matches(r, event)).map((r) => deps.deliver(r, event)));
    } catch (err) {
      deps.warn(`EventBridge: event ${event.id} could not be delivered: ${String(err)}`);
      return { errorCode: 'InternalFailure', errorMessage: 'Internal Service Failure' };
    }
    return { eventId: event.id };
  };

  const putAll = async (
    entries: readonly EventEntry[],
    busOf: (entry: EventEntry) => string,
  ): Promise<EventEntryResult[]> => {
    if (entries.reduce((sum, e) => sum + entrySize(e), 0) > MAX_REQUEST_BYTES) {
      throw validation('Total size of the entries in the request is over the limit.');
    }
    const results: EventEntryResult[] = [];
    for (const entry of entries) {
      results.push(await putOne(entry, busOf(entry)));
    }
    return results;
  };

  return {
    putEvents: (entries) => putAll(entries, (e) => e.eventBusName ?? DEFAULT_BUS),

    putEventsToBus: async (busArn, entries) => {
      const busName = busNameOf(busArn, deps.ctx);
      if (busName === busArn || (await findBus(deps, busName)) === undefined) {
        throw busNotFound(busArn);
      }
      return putAll(entries, () => busName);
    },
  };
}

/** Why an entry is refused (its result carries the error), if it is. */
function entryProblem(entry: EventEntry): EventEntryResult | undefined {
  for (const [member, value] of [
    ['Source', entry.source],
    ['DetailType', entry.detailType],
    ['Detail', entry.detail],
  ] as const) {
    if (value === undefined || value === '') {
      return {
        errorCode: 'InvalidArgument',
        errorMessage: `Parameter ${member} is not valid. Reason: ${member} is a required argument.`,
      };
    }
  }
  let detail: unknown;
  try {
    detail = JSON.parse(entry.detail ?? '');
  } catch {
    detail = undefined;
  }
  if (typeof detail !== 'object' || detail === null || Array.isArray(detail)) {
    // "Detail: A valid JSON object."
    return { errorCode: 'MalformedDetail', errorMessage: 'Detail is malformed.' };
  }
  return undefined;
}

/**
 * An entry's size as AWS counts it: 14 bytes for a Time, plus the UTF-8 bytes of Source,
 * DetailType, Detail and each Resource.
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-putevent-size.html
 */
function entrySize(entry: EventEntry): number {
  const bytes = (s: string | undefined): number => Buffer.byteLength(s ?? '', 'utf8');
  return (
    (entry.time === undefined ? 0 : 14) +
    bytes(entry.source) +
    bytes(entry.detailType) +
    bytes(entry.detail) +
    (entry.resources ?? []).reduce((sum, r) => sum + bytes(r), 0)
  );
}
