/**
 * Layers and their permissions (spec §1.5 "Layers").
 * https://docs.aws.amazon.com/lambda/latest/api/API_PublishLayerVersion.html
 */
import { validationError } from '../core/errors.js';
import type { ListLayersParams } from '../control/types.js';
import { CODE_REQUEST_BYTES } from './functions.js';
import type { ApiRequest } from './protocol/request.js';
import { emptyReply, jsonReply } from './protocol/response.js';
import type { Route } from './protocol/route.js';
import { pageParams } from './versions.js';

const VERSIONS = '/2018-10-31/layers/{LayerName}/versions';
const VERSION = `${VERSIONS}/{VersionNumber}`;
const POLICY = `${VERSION}/policy`;

function listParams(request: ApiRequest): ListLayersParams {
  const runtime = request.queryParam('CompatibleRuntime');
  const architecture = request.queryParam('CompatibleArchitecture');
  return {
    ...pageParams(request),
    ...(runtime === undefined ? {} : { compatibleRuntime: runtime }),
    ...(architecture === undefined ? {} : { compatibleArchitecture: architecture }),
  };
}

export const layerRoutes: readonly Route[] = [
  {
    operation: 'PublishLayerVersion',
    method: 'POST',
    path: VERSIONS,
    body: 'json',
    bodyLimit: { bytes: CODE_REQUEST_BYTES, operation: 'PublishLayerVersion' },
    handle: async (request, { control }) =>
      jsonReply(201, await control.publishLayerVersion(request.label('LayerName'), request.json)),
  },
  {
    operation: 'ListLayerVersions',
    method: 'GET',
    path: VERSIONS,
    handle: async (request, { control }) =>
      jsonReply(
        200,
        await control.listLayerVersions(request.label('LayerName'), listParams(request)),
      ),
  },
  {
    operation: 'GetLayerVersion',
    method: 'GET',
    path: VERSION,
    handle: async (request, { control }) =>
      jsonReply(
        200,
        await control.getLayerVersion(request.label('LayerName'), request.label('VersionNumber')),
      ),
  },
  {
    operation: 'DeleteLayerVersion',
    method: 'DELETE',
    path: VERSION,
    handle: async (request, { control }) => {
      await control.deleteLayerVersion(request.label('LayerName'), request.label('VersionNumber'));
      return emptyReply(204);
    },
  },
  {
    // GetLayerVersionByArn shares the path and tells itself apart by `?find=LayerVersion`.
    operation: 'ListLayers',
    method: 'GET',
    path: '/2018-10-31/layers',
    handle: async (request, { control }) => {
      if (request.queryParam('find') === 'LayerVersion') {
        const arn = request.queryParam('Arn');
        if (arn === undefined) {
          throw validationError([
            "Value null at 'arn' failed to satisfy constraint: Member must not be null",
          ]);
        }
        return jsonReply(200, await control.getLayerVersionByArn(arn));
      }
      return jsonReply(200, await control.listLayers(listParams(request)));
    },
  },
  {
    operation: 'AddLayerVersionPermission',
    method: 'POST',
    path: POLICY,
    body: 'json',
    handle: async (request, { control }) =>
      jsonReply(
        201,
        await control.addLayerVersionPermission(
          request.label('LayerName'),
          request.label('VersionNumber'),
          request.json,
          request.queryParam('RevisionId'),
        ),
      ),
  },
  {
    operation: 'GetLayerVersionPolicy',
    method: 'GET',
    path: POLICY,
    handle: async (request, { control }) =>
      jsonReply(
        200,
        await control.getLayerVersionPolicy(
          request.label('LayerName'),
          request.label('VersionNumber'),
        ),
      ),
  },
  {
    operation: 'RemoveLayerVersionPermission',
    method: 'DELETE',
    path: `${POLICY}/{StatementId}`,
    handle: async (request, { control }) => {
      await control.removeLayerVersionPermission(
        request.label('LayerName'),
        request.label('VersionNumber'),
        request.label('StatementId'),
        request.queryParam('RevisionId'),
      );
      return emptyReply(204);
    },
  },
];
