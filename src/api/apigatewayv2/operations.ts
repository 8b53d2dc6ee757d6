/**
 * The API Gateway v2 operations Fogbank serves: method, path and success status from the
 * service model (@aws-sdk/client-apigatewayv2), camelCase members in and out. No rules live
 * here; HttpApiService has them.
 */
import type { HttpApiService } from '../../control/http-apis/http-api-service.js';
import type { PageRequest } from '../../control/http-apis/paging.js';
import { badRequest } from '../../control/http-apis/errors.js';
import type { RoutePattern } from '../protocol/router.js';
import type { Input } from './input.js';

export interface OperationRequest {
  /** Decoded path labels (`ApiId`, `RouteId`, …). */
  readonly labels: Readonly<Record<string, string>>;
  readonly query: URLSearchParams;
  readonly input: Input;
}

export interface Operation extends RoutePattern {
  /** The AWS operation name. */
  readonly operation: string;
  readonly method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** The status of a success: 201 for creates, 204 for deletes, else 200. */
  readonly status: 200 | 201 | 204;
  readonly run: (request: OperationRequest) => unknown;
}

/** `maxResults` / `nextToken`, the query members of every Get…s operation. */
function pageRequest(query: URLSearchParams): PageRequest {
  const max = query.get('maxResults');
  if (max !== null && !/^\d{1,4}$/.test(max)) {
    throw badRequest(`Invalid MaxResults '${max}': it must be a number.`);
  }
  const token = query.get('nextToken');
  return {
    ...(max !== null && { maxResults: Number(max) }),
    ...(token !== null && { nextToken: token }),
  };
}

function label(request: OperationRequest, name: string): string {
  return request.labels[name] ?? '';
}

export function createOperations(service: HttpApiService): readonly Operation[] {
  const API = '/v2/apis/{ApiId}';
  const apiId = (r: OperationRequest): string => label(r, 'ApiId');
  const routeInput = ({ input }: OperationRequest) => ({
    routeKey: input.string('routeKey'),
    target: input.string('target'),
    operationName: input.string('operationName'),
    authorizationType: input.string('authorizationType'),
    apiKeyRequired: input.boolean('apiKeyRequired'),
  });
  const integrationInput = ({ input }: OperationRequest) => ({
    integrationType: input.string('integrationType'),
    integrationUri: input.string('integrationUri'),
    integrationMethod: input.string('integrationMethod'),
    payloadFormatVersion: input.string('payloadFormatVersion'),
    timeoutInMillis: input.integer('timeoutInMillis'),
    description: input.string('description'),
  });
  const stageInput = ({ input }: OperationRequest) => ({
    stageName: input.string('stageName'),
    autoDeploy: input.boolean('autoDeploy'),
    stageVariables: input.stringMap('stageVariables'),
    description: input.string('description'),
    deploymentId: input.string('deploymentId'),
    tags: input.stringMap('tags'),
  });

  return [
    {
      operation: 'CreateApi',
      method: 'POST',
      path: '/v2/apis',
      status: 201,
      run: ({ input }) =>
        service.createApi({
          name: input.string('name'),
          protocolType: input.string('protocolType'),
          description: input.string('description'),
          version: input.string('version'),
          disableExecuteApiEndpoint: input.boolean('disableExecuteApiEndpoint'),
          routeSelectionExpression: input.string('routeSelectionExpression'),
          tags: input.stringMap('tags'),
          target: input.string('target'),
          routeKey: input.string('routeKey'),
        }),
    },
    {
      operation: 'GetApis',
      method: 'GET',
      path: '/v2/apis',
      status: 200,
      run: (r) => service.getApis(pageRequest(r.query)),
    },
    {
      operation: 'GetApi',
      method: 'GET',
      path: API,
      status: 200,
      run: (r) => service.getApi(apiId(r)),
    },
    {
      operation: 'UpdateApi',
      method: 'PATCH',
      path: API,
      status: 200,
      run: (r) =>
        service.updateApi(apiId(r), {
          name: r.input.string('name'),
          description: r.input.string('description'),
          version: r.input.string('version'),
          disableExecuteApiEndpoint: r.input.boolean('disableExecuteApiEndpoint'),
          target: r.input.string('target'),
          routeKey: r.input.string('routeKey'),
        }),
    },
    {
      operation: 'DeleteApi',
      method: 'DELETE',
      path: API,
      status: 204,
      run: (r) => service.deleteApi(apiId(r)),
    },

    {
      operation: 'CreateRoute',
      method: 'POST',
      path: `${API}/routes`,
      status: 201,
      run: (r) => service.createRoute(apiId(r), routeInput(r)),
    },
    {
      operation: 'GetRoutes',
      method: 'GET',
      path: `${API}/routes`,
      status: 200,
      run: (r) => service.getRoutes(apiId(r), pageRequest(r.query)),
    },
    {
      operation: 'GetRoute',
      method: 'GET',
      path: `${API}/routes/{RouteId}`,
      status: 200,
      run: (r) => service.getRoute(apiId(r), label(r, 'RouteId')),
    },
    {
      operation: 'UpdateRoute',
      method: 'PATCH',
      path: `${API}/routes/{RouteId}`,
      status: 200,
      run: (r) => service.updateRoute(apiId(r), label(r, 'RouteId'), routeInput(r)),
    },
    {
      operation: 'DeleteRoute',
      method: 'DELETE',
      path: `${API}/routes/{RouteId}`,
      status: 204,
      run: (r) => service.deleteRoute(apiId(r), label(r, 'RouteId')),
    },

    {
      operation: 'CreateIntegration',
      method: 'POST',
      path: `${API}/integrations`,
      status: 201,
      run: (r) => service.createIntegration(apiId(r), integrationInput(r)),
    },
    {
      operation: 'GetIntegrations',
      method: 'GET',
      path: `${API}/integrations`,
      status: 200,
      run: (r) => service.getIntegrations(apiId(r), pageRequest(r.query)),
    },
    {
      operation: 'GetIntegration',
      method: 'GET',
      path: `${API}/integrations/{IntegrationId}`,
      status: 200,
      run: (r) => service.getIntegration(apiId(r), label(r, 'IntegrationId')),
    },
    {
      operation: 'UpdateIntegration',
      method: 'PATCH',
      path: `${API}/integrations/{IntegrationId}`,
      status: 200,
      run: (r) =>
        service.updateIntegration(apiId(r), label(r, 'IntegrationId'), integrationInput(r)),
    },
    {
      operation: 'DeleteIntegration',
      method: 'DELETE',
      path: `${API}/integrations/{IntegrationId}`,
      status: 204,
      run: (r) => service.deleteIntegration(apiId(r), label(r, 'IntegrationId')),
    },

    {
      operation: 'CreateStage',
      method: 'POST',
      path: `${API}/stages`,
      status: 201,
      run: (r) => service.createStage(apiId(r), stageInput(r)),
    },
    {
      operation: 'GetStages',
      method: 'GET',
      path: `${API}/stages`,
      status: 200,
      run: (r) => service.getStages(apiId(r), pageRequest(r.query)),
    },
    {
      operation: 'GetStage',
      method: 'GET',
      path: `${API}/stages/{StageName}`,
      status: 200,
      run: (r) => service.getStage(apiId(r), label(r, 'StageName')),
    },
    {
      operation: 'UpdateStage',
      method: 'PATCH',
      path: `${API}/stages/{StageName}`,
      status: 200,
      run: (r) => service.updateStage(apiId(r), label(r, 'StageName'), stageInput(r)),
    },
    {
      operation: 'DeleteStage',
      method: 'DELETE',
      path: `${API}/stages/{StageName}`,
      status: 204,
      run: (r) => service.deleteStage(apiId(r), label(r, 'StageName')),
    },

    {
      operation: 'GetTags',
      method: 'GET',
      path: '/v2/tags/{ResourceArn}',
      status: 200,
      run: (r) => ({ tags: service.getTags(label(r, 'ResourceArn')) }),
    },
    {
      operation: 'TagResource',
      method: 'POST',
      path: '/v2/tags/{ResourceArn}',
      status: 201,
      run: async (r) => {
        await service.tagResource(label(r, 'ResourceArn'), r.input.stringMap('tags') ?? {});
        return {};
      },
    },
    {
      operation: 'UntagResource',
      method: 'DELETE',
      path: '/v2/tags/{ResourceArn}',
      status: 204,
      run: (r) => service.untagResource(label(r, 'ResourceArn'), r.query.getAll('tagKeys')),
    },

    {
      operation: 'CreateDeployment',
      method: 'POST',
      path: `${API}/deployments`,
      status: 201,
      run: (r) =>
        service.createDeployment(apiId(r), {
          stageName: r.input.string('stageName'),
          description: r.input.string('description'),
        }),
    },
    {
      operation: 'GetDeployments',
      method: 'GET',
      path: `${API}/deployments`,
      status: 200,
      run: (r) => service.getDeployments(apiId(r), pageRequest(r.query)),
    },
    {
      operation: 'GetDeployment',
      method: 'GET',
      path: `${API}/deployments/{DeploymentId}`,
      status: 200,
      run: (r) => service.getDeployment(apiId(r), label(r, 'DeploymentId')),
    },
  ];
}
