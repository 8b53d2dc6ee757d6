/**
 * Asynchronous invocation configuration (spec §1.5 "Asynchronous invocation configuration").
 * https://docs.aws.amazon.com/lambda/latest/api/API_PutFunctionEventInvokeConfig.html
 */
import { functionConfig, listParams, qualifiedFunction } from './function-config.js';
import { emptyReply, jsonReply } from './protocol/response.js';
import type { Route } from './protocol/route.js';

const PATH = '/2019-09-25/functions/{FunctionName}/event-invoke-config';

export const eventInvokeConfigRoutes: readonly Route[] = [
  {
    operation: 'PutFunctionEventInvokeConfig',
    method: 'PUT',
    path: PATH,
    body: 'json',
    handle: async (request, services) =>
      jsonReply(
        200,
        await functionConfig(services).eventInvokeConfigs.put(
          ...qualifiedFunction(request),
          request.json,
        ),
      ),
  },
  {
    operation: 'UpdateFunctionEventInvokeConfig',
    method: 'POST',
    path: PATH,
    body: 'json',
    handle: async (request, services) =>
      jsonReply(
        200,
        await functionConfig(services).eventInvokeConfigs.update(
          ...qualifiedFunction(request),
          request.json,
        ),
      ),
  },
  {
    operation: 'GetFunctionEventInvokeConfig',
    method: 'GET',
    path: PATH,
    handle: async (request, services) =>
      jsonReply(
        200,
        await functionConfig(services).eventInvokeConfigs.get(...qualifiedFunction(request)),
      ),
  },
  {
    operation: 'DeleteFunctionEventInvokeConfig',
    method: 'DELETE',
    path: PATH,
    handle: async (request, services) => {
      await functionConfig(services).eventInvokeConfigs.delete(...qualifiedFunction(request));
      return emptyReply(204);
    },
  },
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
