export {
  MULTI_VALUE_HEADERS,
  TargetGroupService,
  type TargetGroupServiceOptions,
} from './target-group-service.js';
export type { TargetGroupStore } from './types.js';
