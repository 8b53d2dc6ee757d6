/**
 * Event source mappings (spec §1.4, §1.5 "Event source mappings"): Create, Update and Delete answer
 * 202 with the mapping in its transitional state; Get and List answer 200.
 * https://docs.aws.amazon.com/lambda/latest/api/API_CreateEventSourceMapping.html
 */
import { serviceException } from '../core/errors.js';
import type { EventSourceMappingApi } from '../events/esm/index.js';
import { jsonReply } from './protocol/response.js';
import { integerQuery, type ApiServices, type Route } from './protocol/route.js';

function mappings(services: ApiServices): EventSourceMappingApi {
  if (services.eventSourceMappings === undefined) {
    throw serviceException('Event source mappings are not available on this server.');
  }
  return services.eventSourceMappings;
}

export const eventSourceMappingRoutes: readonly Route[] = [
  {
    operation: 'CreateEventSourceMapping',
    method: 'POST',
    path: '/2015-03-31/event-source-mappings',
    body: 'json',
    handle: async (request, services) =>
      jsonReply(202, await mappings(services).createEventSourceMapping(request.json ?? {})),
  },
  {
    operation: 'ListEventSourceMappings',
    method: 'GET',
    path: '/2015-03-31/event-source-mappings',
    handle: async (request, services) => {
      const eventSourceArn = request.queryParam('EventSourceArn');
      const functionName = request.queryParam('FunctionName');
      const marker = request.queryParam('Marker');
      const maxItems = integerQuery(request, 'MaxItems', 'maxItems');
      return jsonReply(
        200,
        await mappings(services).listEventSourceMappings({
          ...(eventSourceArn === undefined ? {} : { eventSourceArn }),
          ...(functionName === undefined ? {} : { functionName }),
          ...(marker === undefined ? {} : { marker }),
          ...(maxItems === undefined ? {} : { maxItems }),
        }),
      );
    },
  },
  {
    operation: 'GetEventSourceMapping',
    method: 'GET',
    path: '/2015-03-31/event-source-mappings/{UUID}',
    handle: async (request, services) =>
      jsonReply(200, await mappings(services).getEventSourceMapping(request.label('UUID'))),
  },
  {
    operation: 'UpdateEventSourceMapping',
    method: 'PUT',
    path: '/2015-03-31/event-source-mappings/{UUID}',
    body: 'json',
    handle: async (request, services) =>
      jsonReply(
        202,
        await mappings(services).updateEventSourceMapping(
          request.label('UUID'),
          request.json ?? {},
        ),
      ),
  },
  {
    operation: 'DeleteEventSourceMapping',
    method: 'DELETE',
    path: '/2015-03-31/event-source-mappings/{UUID}',
    handle: async (request, services) =>
      jsonReply(202, await mappings(services).deleteEventSourceMapping(request.label('UUID'))),
  },
];
