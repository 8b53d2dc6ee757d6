/**
 * The HTTP front (DESIGN.md "gateway/"): function URLs, API Gateway HTTP APIs and ALB target
 * groups, each an HttpTrigger that the shared port's front door asks before the AWS APIs.
 */
import type { HttpTrigger } from '../api/front-door.js';
import type { AccountContext } from '../core/arn.js';
import type { Clock } from '../core/clock.js';
import type { Invoker, StreamingInvoker } from '../invoke/types.js';
import { albTrigger } from './alb.js';
import { functionUrlTrigger, type FunctionUrlDirectory } from './function-url.js';
import { httpApiTrigger } from './http-api.js';
import type { AlbDirectory, HttpApiDirectory } from './http-api-types.js';

export type { FunctionUrlDirectory } from './function-url.js';
export type * from './http-api-types.js';

export interface GatewayOptions {
  readonly invoker: Invoker;
  /** Streams function URLs in RESPONSE_STREAM mode; without it they are answered buffered. */
  readonly streamingInvoker?: StreamingInvoker;
  readonly urls: FunctionUrlDirectory;
  /** The deployed HTTP APIs; without it, `execute-api` requests go to the AWS APIs. */
  readonly httpApis?: HttpApiDirectory;
  /** The ALB target groups; without it, `/alb/…` requests go to the AWS APIs. */
  readonly albs?: AlbDirectory;
  readonly ctx: AccountContext;
  readonly clock: Clock;
  /** Hears of anything unexpected that a client saw as a 5xx (for the operator's log). */
  readonly onError?: (err: unknown) => void;
}

/** Every HTTP trigger, in the order the front door asks them. */
export function createHttpTriggers(options: GatewayOptions): HttpTrigger[] {
  const { invoker, ctx, clock, onError } = options;
  const common = { invoker, ctx, clock, ...(onError !== undefined && { onError }) };
  return [
    functionUrlTrigger({
      ...common,
      urls: options.urls,
      ...(options.streamingInvoker !== undefined && { streamingInvoker: options.streamingInvoker }),
    }),
    ...(options.httpApis === undefined
      ? []
      : [httpApiTrigger({ ...common, httpApis: options.httpApis })]),
    ...(options.albs === undefined ? [] : [albTrigger({ ...common, albs: options.albs })]),
  ];
}
