/**
 * Versions: PublishVersion and ListVersionsByFunction (spec §1.5 "Versions and aliases").
 * https://docs.aws.amazon.com/lambda/latest/api/API_PublishVersion.html
 */
import type { PageParams } from '../control/types.js';
import type { ApiRequest } from './protocol/request.js';
import { jsonReply } from './protocol/response.js';
import { integerQuery, type Route } from './protocol/route.js';

/** Marker and MaxItems of a List* operation. */
export function pageParams(request: ApiRequest): PageParams {
  const marker = request.queryParam('Marker');
  const maxItems = integerQuery(request, 'MaxItems', 'maxItems');
  return {
    ...(marker === undefined ? {} : { marker }),
    ...(maxItems === undefined ? {} : { maxItems }),
  };
}

export const versionRoutes: readonly Route[] = [
  {
    operation: 'PublishVersion',
    method: 'POST',
    path: '/2015-03-31/functions/{FunctionName}/versions',
    body: 'json',
    handle: async (request, { control }) =>
      jsonReply(201, await control.publishVersion(request.label('FunctionName'), request.json)),
  },
  {
    operation: 'ListVersionsByFunction',
    method: 'GET',
    path: '/2015-03-31/functions/{FunctionName}/versions',
    handle: async (request, { control }) =>
      jsonReply(
        200,
        await control.listVersionsByFunction(request.label('FunctionName'), pageParams(request)),
      ),
  },
];
