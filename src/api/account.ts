/**
 * Account settings: limits and usage of the account this server stands for (spec §1.5).
 * https://docs.aws.amazon.com/lambda/latest/api/API_GetAccountSettings.html
 */
import { jsonReply } from './protocol/response.js';
import type { Route } from './protocol/route.js';

export const accountRoutes: readonly Route[] = [
  {
    operation: 'GetAccountSettings',
    method: 'GET',
    path: '/2016-08-19/account-settings',
    handle: async (_request, { control }) => jsonReply(200, await control.getAccountSettings()),
  },
];
