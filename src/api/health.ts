/** A readiness probe for scripts that wait for the server to come up. */
import { jsonReply } from './protocol/response.js';
import type { Route } from './protocol/route.js';

export const healthRoutes: readonly Route[] = [
  {
    operation: 'FogbankHealth',
    method: 'GET',
    path: '/_fogbank/health',
    handle: () => Promise.resolve(jsonReply(200, { status: 'ok' })),
  },
];
