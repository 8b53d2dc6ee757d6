/**
 * Asynchronous invocation configuration (spec §1.5 "Asynchronous invocation configuration").
 * https://docs.aws.amazon.com/lambda/latest/api/API_PutFunctionEventInvokeConfig.html
 */
import { functionConfig, listParams, settingRoute } from './function-config.js';
import { jsonReply } from './protocol/response.js';
import type { Route } from './protocol/route.js';

const PATH = '/2019-09-25/functions/{FunctionName}/event-invoke-config';

export const eventInvokeConfigRoutes: readonly Route[] = [
  settingRoute(
    {
      operation: 'PutFunctionEventInvokeConfig',
      method: 'PUT',
      path: PATH,
      body: 'json',
      status: 200,
    },
    (s, name, qualifier, request) => s.eventInvokeConfigs.put(name, qualifier, request.json),
  ),
  settingRoute(
    {
      operation: 'UpdateFunctionEventInvokeConfig',
      method: 'POST',
      path: PATH,
      body: 'json',
      status: 200,
    },
    (s, name, qualifier, request) => s.eventInvokeConfigs.update(name, qualifier, request.json),
  ),
  settingRoute(
    { operation: 'GetFunctionEventInvokeConfig', method: 'GET', path: PATH, status: 200 },
    (s, name, qualifier) => s.eventInvokeConfigs.get(name, qualifier),
  ),
  settingRoute(
    { operation: 'DeleteFunctionEventInvokeConfig', method: 'DELETE', path: PATH, status: 204 },
    (s, name, qualifier) => s.eventInvokeConfigs.delete(name, qualifier),
  ),
  {
    operation: 'ListFunctionEventInvokeConfigs',
    method: 'GET',
    path: `${PATH}/list`,
    handle: async (request, services) =>
      jsonReply(
        200,
        await functionConfig(services).eventInvokeConfigs.list(
          request.label('FunctionName'),
          listParams(request),
        ),
      ),
  },
];
