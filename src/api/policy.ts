/**
 * Resource-based policies (spec §1.5 "Resource-based policy (permissions)").
 * https://docs.aws.amazon.com/lambda/latest/api/API_AddPermission.html
 */
import { functionConfig, qualifiedFunction } from './function-config.js';
import { emptyReply, jsonReply } from './protocol/response.js';
import type { Route } from './protocol/route.js';

export const policyRoutes: readonly Route[] = [
  {
    operation: 'AddPermission',
    method: 'POST',
    path: '/2015-03-31/functions/{FunctionName}/policy',
    body: 'json',
    handle: async (request, services) =>
      jsonReply(
        201,
        await functionConfig(services).policies.add(...qualifiedFunction(request), request.json),
      ),
  },
  {
    operation: 'GetPolicy',
    method: 'GET',
    path: '/2015-03-31/functions/{FunctionName}/policy',
    handle: async (request, services) =>
      jsonReply(200, await functionConfig(services).policies.get(...qualifiedFunction(request))),
  },
  {
    operation: 'RemovePermission',
    method: 'DELETE',
    path: '/2015-03-31/functions/{FunctionName}/policy/{StatementId}',
    handle: async (request, services) => {
      const qualifier = request.queryParam('Qualifier');
      const revisionId = request.queryParam('RevisionId');
      await functionConfig(services).policies.remove(
        request.label('FunctionName'),
        request.label('StatementId'),
        {
          ...(qualifier === undefined ? {} : { qualifier }),
          ...(revisionId === undefined ? {} : { revisionId }),
        },
      );
      return emptyReply(204);
    },
  },
];
