/**
 * Function URL configs (spec §1.5 "Function URLs").
 * https://docs.aws.amazon.com/lambda/latest/api/API_CreateFunctionUrlConfig.html
 */
import { functionConfig, listParams, settingRoute } from './function-config.js';
import { jsonReply } from './protocol/response.js';
import type { Route } from './protocol/route.js';

const PATH = '/2021-10-31/functions/{FunctionName}/url';

export const functionUrlRoutes: readonly Route[] = [
  settingRoute(
    { operation: 'CreateFunctionUrlConfig', method: 'POST', path: PATH, body: 'json', status: 201 },
    (s, name, qualifier, request) => s.functionUrls.create(name, qualifier, request.json),
  ),
  settingRoute(
    { operation: 'GetFunctionUrlConfig', method: 'GET', path: PATH, status: 200 },
    (s, name, qualifier) => s.functionUrls.get(name, qualifier),
  ),
  settingRoute(
    { operation: 'UpdateFunctionUrlConfig', method: 'PUT', path: PATH, body: 'json', status: 200 },
    (s, name, qualifier, request) => s.functionUrls.update(name, qualifier, request.json),
  ),
  settingRoute(
    { operation: 'DeleteFunctionUrlConfig', method: 'DELETE', path: PATH, status: 204 },
    (s, name, qualifier) => s.functionUrls.delete(name, qualifier),
  ),
  {
    operation: 'ListFunctionUrlConfigs',
    method: 'GET',
    path: '/2021-10-31/functions/{FunctionName}/urls',
    handle: async (request, services) =>
      jsonReply(
        200,
        await functionConfig(services).functionUrls.list(
          request.label('FunctionName'),
          listParams(request),
        ),
      ),
  },
];
