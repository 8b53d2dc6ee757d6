/**
 * Functions: create, read, list, update and delete (spec §1.4, §1.5 "Functions").
 * https://docs.aws.amazon.com/lambda/latest/api/API_CreateFunction.html
 */
import type { ListFunctionsParams } from '../control/types.js';
import type { ApiRequest } from './protocol/request.js';
import { emptyReply, jsonReply } from './protocol/response.js';
import { integerQuery, type Route } from './protocol/route.js';

/**
 * Lambda's limit on a whole CreateFunction request: a 50 MB zip grows by a third as base64 inside
 * the JSON body. UpdateFunctionCode carries the same zip, so it gets the same room.
 */
export const CODE_REQUEST_BYTES = 70_167_211;

function functionName(request: ApiRequest): string {
  return request.label('FunctionName');
}

export const functionRoutes: readonly Route[] = [
  {
    operation: 'CreateFunction',
    method: 'POST',
    path: '/2015-03-31/functions',
    body: 'json',
    bodyLimit: { bytes: CODE_REQUEST_BYTES, operation: 'CreateFunction' },
    handle: async (request, { control }) =>
      jsonReply(201, await control.createFunction(request.json)),
  },
  {
    operation: 'GetFunction',
    method: 'GET',
    path: '/2015-03-31/functions/{FunctionName}',
    handle: async (request, { control }) =>
      jsonReply(
        200,
        await control.getFunction(functionName(request), request.queryParam('Qualifier')),
      ),
  },
  {
    operation: 'GetFunctionConfiguration',
    method: 'GET',
    path: '/2015-03-31/functions/{FunctionName}/configuration',
    handle: async (request, { control }) =>
      jsonReply(
        200,
        await control.getFunctionConfiguration(
          functionName(request),
          request.queryParam('Qualifier'),
        ),
      ),
  },
  {
    operation: 'ListFunctions',
    method: 'GET',
    path: '/2015-03-31/functions',
    handle: async (request, { control }) => {
      const marker = request.queryParam('Marker');
      const maxItems = integerQuery(request, 'MaxItems', 'maxItems');
      const functionVersion = request.queryParam('FunctionVersion');
      // MasterRegion (Lambda@Edge replicas) has nothing to select here: every function is local.
      const params: ListFunctionsParams = {
        ...(marker === undefined ? {} : { marker }),
        ...(maxItems === undefined ? {} : { maxItems }),
        ...(functionVersion === undefined ? {} : { functionVersion }),
      };
      return jsonReply(200, await control.listFunctions(params));
    },
  },
  {
    operation: 'UpdateFunctionCode',
    method: 'PUT',
    path: '/2015-03-31/functions/{FunctionName}/code',
    body: 'json',
    bodyLimit: { bytes: CODE_REQUEST_BYTES, operation: 'UpdateFunctionCode' },
    handle: async (request, { control }) =>
      jsonReply(200, await control.updateFunctionCode(functionName(request), request.json)),
  },
  {
    operation: 'UpdateFunctionConfiguration',
    method: 'PUT',
    path: '/2015-03-31/functions/{FunctionName}/configuration',
    body: 'json',
    handle: async (request, { control }) =>
      jsonReply(
        200,
        await control.updateFunctionConfiguration(functionName(request), request.json),
      ),
  },
  {
    // The model says 200; real Lambda answers 204 with an empty body [aws-rec], and both SDKs
    // accept any 2xx.
    operation: 'DeleteFunction',
    method: 'DELETE',
    path: '/2015-03-31/functions/{FunctionName}',
    handle: async (request, { control }) => {
      await control.deleteFunction(functionName(request), request.queryParam('Qualifier'));
      return emptyReply(204);
    },
  },
];
