/**
 * The event pattern engine: one implementation of EventBridge's pattern language, used by event
 * source mapping filters (FilterCriteria) and by rules and filter policies that match events.
 */
export { compilePattern, matchesAny, type EventPattern } from './event-pattern.js';
export { EventPatternError } from './leaf-rules.js';
export {
  compileFilterCriteria,
  type FilterCriteriaMatcher,
  type FilterSource,
} from './filter-criteria.js';
