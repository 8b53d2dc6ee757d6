export { HttpApiService, type HttpApiServiceOptions } from './http-api-service.js';
export type { HttpApiStore } from './types.js';
