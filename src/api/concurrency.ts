/**
 * Reserved concurrency and provisioned concurrency configs (spec §1.5 "Concurrency"). The paths
 * carry different dates per operation, as the model has them.
 * https://docs.aws.amazon.com/lambda/latest/api/API_PutFunctionConcurrency.html
 */
import { emptyReply, jsonReply } from './protocol/response.js';
import type { Route } from './protocol/route.js';
import { pageParams } from './versions.js';

const PROVISIONED = '/2019-09-30/functions/{FunctionName}/provisioned-concurrency';

export const concurrencyRoutes: readonly Route[] = [
  {
    operation: 'PutFunctionConcurrency',
    method: 'PUT',
    path: '/2017-10-31/functions/{FunctionName}/concurrency',
    body: 'json',
    handle: async (request, { control }) =>
      jsonReply(
        200,
        await control.putFunctionConcurrency(request.label('FunctionName'), request.json),
      ),
  },
  {
    operation: 'GetFunctionConcurrency',
    method: 'GET',
    path: '/2019-09-30/functions/{FunctionName}/concurrency',
    handle: async (request, { control }) =>
      jsonReply(200, await control.getFunctionConcurrency(request.label('FunctionName'))),
  },
  {
    operation: 'DeleteFunctionConcurrency',
    method: 'DELETE',
    path: '/2017-10-31/functions/{FunctionName}/concurrency',
    handle: async (request, { control }) => {
      await control.deleteFunctionConcurrency(request.label('FunctionName'));
      return emptyReply(204);
    },
  },
  {
    operation: 'PutProvisionedConcurrencyConfig',
    method: 'PUT',
    path: PROVISIONED,
    body: 'json',
    handle: async (request, { control }) =>
      jsonReply(
        202,
        await control.putProvisionedConcurrencyConfig(
          request.label('FunctionName'),
          request.queryParam('Qualifier'),
          request.json,
        ),
      ),
  },
  {
    // ListProvisionedConcurrencyConfigs shares the path and tells itself apart by `?List=ALL`.
    operation: 'GetProvisionedConcurrencyConfig',
    method: 'GET',
    path: PROVISIONED,
    handle: async (request, { control }) => {
      const functionName = request.label('FunctionName');
      if (request.queryParam('List') !== undefined) {
        return jsonReply(
          200,
          await control.listProvisionedConcurrencyConfigs(functionName, pageParams(request)),
        );
      }
      return jsonReply(
        200,
        await control.getProvisionedConcurrencyConfig(
          functionName,
          request.queryParam('Qualifier'),
        ),
      );
    },
  },
  {
    operation: 'DeleteProvisionedConcurrencyConfig',
    method: 'DELETE',
    path: PROVISIONED,
    handle: async (request, { control }) => {
      await control.deleteProvisionedConcurrencyConfig(
        request.label('FunctionName'),
        request.queryParam('Qualifier'),
      );
      return emptyReply(204);
    },
  },
];
