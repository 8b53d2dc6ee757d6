/**
 * The HTTP front (DESIGN.md "gateway/"): function URLs today, each front an HttpTrigger that the
 * shared port's front door asks before the AWS APIs.
 */
import type { HttpTrigger } from '../api/front-door.js';
import type { AccountContext } from '../core/arn.js';
import type { Clock } from '../core/clock.js';
import type { Invoker } from '../invoke/types.js';
import { functionUrlTrigger, type FunctionUrlDirectory } from './function-url.js';

export type { FunctionUrlDirectory } from './function-url.js';

export interface GatewayOptions {
  readonly invoker: Invoker;
  readonly urls: FunctionUrlDirectory;
  readonly ctx: AccountContext;
  readonly clock: Clock;
  /** Called with anything unexpected that a client saw as a 500. */
  readonly onError?: (err: unknown) => void;
}

/** Every HTTP trigger, in the order the front door asks them. */
export function createHttpTriggers(options: GatewayOptions): HttpTrigger[] {
  return [functionUrlTrigger(options)];
}
