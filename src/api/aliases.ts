/**
 * Aliases: create, read, update, delete and list (spec §1.5 "Versions and aliases").
 * https://docs.aws.amazon.com/lambda/latest/api/API_CreateAlias.html
 */
import { emptyReply, jsonReply } from './protocol/response.js';
import type { Route } from './protocol/route.js';
import { pageParams } from './versions.js';

const ALIASES = '/2015-03-31/functions/{FunctionName}/aliases';
const ALIAS = `${ALIASES}/{Name}`;

export const aliasRoutes: readonly Route[] = [
  {
    operation: 'CreateAlias',
    method: 'POST',
    path: ALIASES,
    body: 'json',
    handle: async (request, { control }) =>
      jsonReply(201, await control.createAlias(request.label('FunctionName'), request.json)),
  },
  {
    operation: 'ListAliases',
    method: 'GET',
    path: ALIASES,
    handle: async (request, { control }) => {
      const functionVersion = request.queryParam('FunctionVersion');
      return jsonReply(
        200,
        await control.listAliases(request.label('FunctionName'), {
          ...pageParams(request),
          ...(functionVersion === undefined ? {} : { functionVersion }),
        }),
      );
    },
  },
  {
    operation: 'GetAlias',
    method: 'GET',
    path: ALIAS,
    handle: async (request, { control }) =>
      jsonReply(200, await control.getAlias(request.label('FunctionName'), request.label('Name'))),
  },
  {
    operation: 'UpdateAlias',
    method: 'PUT',
    path: ALIAS,
    body: 'json',
    handle: async (request, { control }) =>
      jsonReply(
        200,
        await control.updateAlias(
          request.label('FunctionName'),
          request.label('Name'),
          request.json,
        ),
      ),
  },
  {
    operation: 'DeleteAlias',
    method: 'DELETE',
    path: ALIAS,
    handle: async (request, { control }) => {
      await control.deleteAlias(request.label('FunctionName'), request.label('Name'));
      return emptyReply(204);
    },
  },
];
