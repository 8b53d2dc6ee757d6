/**
 * Resource-based policies (spec §1.5 "Resource-based policy (permissions)").
 * https://docs.aws.amazon.com/lambda/latest/api/API_AddPermission.html
 */
import { functionConfig, settingRoute } from './function-config.js';
import { emptyReply } from './protocol/response.js';
import type { Route } from './protocol/route.js';

const PATH = '/2015-03-31/functions/{FunctionName}/policy';

export const policyRoutes: readonly Route[] = [
  settingRoute(
    { operation: 'AddPermission', method: 'POST', path: PATH, body: 'json', status: 201 },
    (s, name, qualifier, request) => s.policies.add(name, qualifier, request.json),
  ),
  settingRoute(
    { operation: 'GetPolicy', method: 'GET', path: PATH, status: 200 },
    (s, name, qualifier) => s.policies.get(name, qualifier),
  ),
  {
    operation: 'RemovePermission',
    method: 'DELETE',
    path: `${PATH}/{StatementId}`,
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
