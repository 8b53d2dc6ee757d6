/**
 * Function URL configs (spec §1.5 "Function URLs").
 * https://docs.aws.amazon.com/lambda/latest/api/API_CreateFunctionUrlConfig.html
 */
import { functionConfig, listParams, qualifiedFunction } from './function-config.js';
import { emptyReply, jsonReply } from './protocol/response.js';
import type { Route } from './protocol/route.js';

const PATH = '/2021-10-31/functions/{FunctionName}/url';

export const functionUrlRoutes: readonly Route[] = [
  {
    operation: 'CreateFunctionUrlConfig',
    method: 'POST',
    path: PATH,
    body: 'json',
    handle: async (request, services) =>
      jsonReply(
        201,
        await functionConfig(services).functionUrls.create(
          ...qualifiedFunction(request),
          request.json,
        ),
      ),
  },
  {
    operation: 'GetFunctionUrlConfig',
    method: 'GET',
    path: PATH,
    handle: async (request, services) =>
      jsonReply(
        200,
        await functionConfig(services).functionUrls.get(...qualifiedFunction(request)),
      ),
  },
  {
    operation: 'UpdateFunctionUrlConfig',
    method: 'PUT',
    path: PATH,
    body: 'json',
    handle: async (request, services) =>
      jsonReply(
        200,
        await functionConfig(services).functionUrls.update(
          ...qualifiedFunction(request),
          request.json,
        ),
      ),
  },
  {
    operation: 'DeleteFunctionUrlConfig',
    method: 'DELETE',
    path: PATH,
    handle: async (request, services) => {
      await functionConfig(services).functionUrls.delete(...qualifiedFunction(request));
      return emptyReply(204);
    },
  },
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
