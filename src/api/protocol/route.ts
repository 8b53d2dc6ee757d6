/**
 * What one operation declares (method, path pattern, body) and the helpers operations share to
 * turn query parameters and headers into service inputs.
 */
import type { AccountContext } from '../../core/arn.js';
import { validationError } from '../../core/errors.js';
import type { FunctionConfigServices } from '../../control/function-config/index.js';
import type { ControlPlane } from '../../control/types.js';
import type { EventSourceMappingApi } from '../../events/esm/index.js';
import type { Invoker, StreamingInvoker } from '../../invoke/types.js';
import type { ApiRequest, BodyLimit } from './request.js';
import type { Reply } from './response.js';

/** The services behind the API. */
export interface ApiServices {
  readonly control: ControlPlane;
  readonly invoker: Invoker;
  /** InvokeWithResponseStream (it answers 500 without it). */
  readonly streamingInvoker?: StreamingInvoker;
  readonly ctx: AccountContext;
  /** Event invoke configs, function URLs and policies (their operations answer 500 without it). */
  readonly functionConfig?: FunctionConfigServices;
  /** Event source mappings (src/events/esm). */
  readonly eventSourceMappings?: EventSourceMappingApi;
}

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

/** One operation of the API. */
export interface Route {
  /** The AWS operation name (`CreateFunction`), as reported to `onRequest`. */
  readonly operation: string;
  readonly method: HttpMethod;
  /** The path pattern of spec §1.4, labels in braces: `/2015-03-31/functions/{FunctionName}`. */
  readonly path: string;
  /** `json`: parsed into `request.json`; `raw`: bytes in `request.body`; absent: not read. */
  readonly body?: 'json' | 'raw';
  /** Replaces the default body limit (6 MB) for operations that carry code or payloads. */
  readonly bodyLimit?: BodyLimit;
  readonly handle: (request: ApiRequest, services: ApiServices) => Promise<Reply>;
}

/** Digits that survive the trip through a double unchanged. */
const INTEGER = /^-?\d{1,15}$/;

/**
 * An integer query parameter (`MaxItems`). A value that is not an integer is refused here, where
 * the string becomes a number; its range is the service's to check.
 */
export function integerQuery(
  request: ApiRequest,
  name: string,
  member: string,
): number | undefined {
  const value = request.queryParam(name);
  if (value === undefined) {
    return undefined;
  }
  if (!INTEGER.test(value)) {
    throw validationError([
      `Value '${value}' at '${member}' failed to satisfy constraint: Member must be an integer`,
    ]);
  }
  return Number(value);
}

/**
 * A header whose value must be one of an enum (`X-Amz-Invocation-Type`), with AWS's
 * ValidationException text when it is not, and the default when it is absent.
 */
export function enumHeader<T extends string>(
  request: ApiRequest,
  name: string,
  member: string,
  values: readonly T[],
  fallback: T,
): T {
  const value = request.header(name);
  if (value === undefined) {
    return fallback;
  }
  if (!(values as readonly string[]).includes(value)) {
    throw validationError([
      `Value '${value}' at '${member}' failed to satisfy constraint: Member must satisfy enum value set: [${values.join(', ')}]`,
    ]);
  }
  return value as T;
}
