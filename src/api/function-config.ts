/**
 * What the event-invoke-config, function URL and policy operations share: the services behind
 * them, the function and qualifier a setting is addressed by, and the List operations' paging
 * parameters.
 */
import type { FunctionConfigServices, ListParams } from '../control/function-config/index.js';
import { serviceException } from '../core/errors.js';
import type { ApiRequest } from './protocol/request.js';
import { integerQuery, type ApiServices } from './protocol/route.js';

/** The services, which a server built without them answers as an internal error. */
export function functionConfig(services: ApiServices): FunctionConfigServices {
  if (services.functionConfig === undefined) {
    throw serviceException('Function configuration services are not available on this server.');
  }
  return services.functionConfig;
}

/** The `{FunctionName}` label and `?Qualifier` of a per-qualifier setting, in argument order. */
export function qualifiedFunction(
  request: ApiRequest,
): [functionName: string, qualifier: string | undefined] {
  return [request.label('FunctionName'), request.queryParam('Qualifier')];
}

/** Marker and MaxItems of a List operation. */
export function listParams(request: ApiRequest): ListParams {
  const marker = request.queryParam('Marker');
  const maxItems = integerQuery(request, 'MaxItems', 'maxItems');
  return {
    ...(marker === undefined ? {} : { marker }),
    ...(maxItems === undefined ? {} : { maxItems }),
  };
}
