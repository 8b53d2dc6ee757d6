/**
 * Tags on a function (by unqualified ARN), or on any other taggable resource the control plane
 * knows (spec §1.5 "Tags").
 * https://docs.aws.amazon.com/lambda/latest/api/API_TagResource.html
 */
import { validationError } from '../core/errors.js';
import { emptyReply, jsonReply } from './protocol/response.js';
import type { Route } from './protocol/route.js';

export const tagRoutes: readonly Route[] = [
  {
    operation: 'TagResource',
    method: 'POST',
    path: '/2017-03-31/tags/{Resource}',
    body: 'json',
    handle: async (request, { control }) => {
      await control.tagResource(request.label('Resource'), request.json);
      return emptyReply(204);
    },
  },
  {
    operation: 'UntagResource',
    method: 'DELETE',
    path: '/2017-03-31/tags/{Resource}',
    handle: async (request, { control }) => {
      // `tagKeys` is a required, repeated query parameter: ?tagKeys=a&tagKeys=b.
      const tagKeys = request.query.getAll('tagKeys');
      if (tagKeys.length === 0) {
        throw validationError([
          "Value null at 'tagKeys' failed to satisfy constraint: Member must not be null",
        ]);
      }
      await control.untagResource(request.label('Resource'), tagKeys);
      return emptyReply(204);
    },
  },
  {
    operation: 'ListTags',
    method: 'GET',
    path: '/2017-03-31/tags/{Resource}',
    handle: async (request, { control }) =>
      jsonReply(200, await control.listTags(request.label('Resource'))),
  },
];
