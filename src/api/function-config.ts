/**
 * What the event-invoke-config, function URL and policy operations share: the services behind
 * them, the function and qualifier a setting is addressed by, and the List operations' paging
 * parameters.
 */
import type { FunctionConfigServices, ListParams } from '../control/function-config/index.js';
import { serviceException } from '../core/errors.js';
import type { ApiRequest } from './protocol/request.js';
import { emptyReply, jsonReply } from './protocol/response.js';
import { integerQuery, type ApiServices, type Route } from './protocol/route.js';

/** The services, which a server built without them answers as an internal error. */
export function functionConfig(services: ApiServices): FunctionConfigServices {
  if (services.functionConfig === undefined) {
    throw serviceException('Function configuration services are not available on this server.');
  }
  return services.functionConfig;
}

/** The `{FunctionName}` label and `?Qualifier` of a per-qualifier setting, in argument order. */
function qualifiedFunction(
  request: ApiRequest,
): [functionName: string, qualifier: string | undefined] {
  return [request.label('FunctionName'), request.queryParam('Qualifier')];
}

/**
 * An operation on the setting of one function and qualifier: `call` gets the services,
 * `{FunctionName}` and `?Qualifier`, and its result is the JSON body of a `status` reply (a 204
 * has no content).
 */
export function settingRoute(
  spec: Omit<Route, 'handle'> & { readonly status: 200 | 201 | 204 },
  call: (
    services: FunctionConfigServices,
    functionName: string,
    qualifier: string | undefined,
    request: ApiRequest,
  ) => Promise<unknown>,
): Route {
  const { status, ...route } = spec;
  return {
    ...route,
    handle: async (request, services) => {
      const config = functionConfig(services);
      const result = await call(config, ...qualifiedFunction(request), request);
      return status === 204 ? emptyReply(204) : jsonReply(status, result);
    },
  };
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
