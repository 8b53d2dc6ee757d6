/**
 * The Lambda REST API (restJson1) as a `node:http` request listener. It translates HTTP into calls
 * on the ControlPlane and the Invoker and their results back into HTTP; the rules themselves live
 * behind those interfaces.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AccountContext } from '../core/arn.js';
import type { FunctionConfigServices } from '../control/function-config/index.js';
import type { ControlPlane } from '../control/types.js';
import type { EventSourceMappingApi } from '../events/esm/index.js';
import type { Invoker, StreamingInvoker } from '../invoke/types.js';
import { accountRoutes } from './account.js';
import { aliasRoutes } from './aliases.js';
import { codeRoutes } from './code.js';
import { concurrencyRoutes } from './concurrency.js';
import { eventSourceMappingRoutes } from './event-source-mappings.js';
import { eventInvokeConfigRoutes } from './event-invoke-config.js';
import { functionRoutes } from './functions.js';
import { functionUrlRoutes } from './function-urls.js';
import { healthRoutes } from './health.js';
import { invokeRoutes } from './invoke.js';
import { invokeStreamRoutes } from './invoke-stream.js';
import { layerRoutes } from './layers.js';
import { policyRoutes } from './policy.js';
import { Router } from './protocol/router.js';
import { createServe, type ApiRequestRecord } from './protocol/serve.js';
import type { VerifySignature } from './protocol/sigv4.js';
import { tagRoutes } from './tags.js';
import { versionRoutes } from './versions.js';

export type { ApiRequestRecord } from './protocol/serve.js';
export type {
  CredentialScope,
  RequestContext,
  SignedRequest,
  VerifySignature,
} from './protocol/sigv4.js';

export interface ApiHandlerOptions {
  readonly control: ControlPlane;
  readonly invoker: Invoker;
  /** InvokeWithResponseStream; without it that operation answers 500. */
  readonly streamingInvoker?: StreamingInvoker;
  /** The region and account this server stands for. */
  readonly ctx: AccountContext;
  /** Event invoke configs, function URLs and policies (src/control/function-config). */
  readonly functionConfig?: FunctionConfigServices;
  /** Event source mappings (src/events/esm). */
  readonly eventSourceMappings?: EventSourceMappingApi;
  /** Called once per request after its response is written (access log, metrics); must not throw. */
  readonly onRequest?: (record: ApiRequestRecord) => void;
  /**
   * SigV4 verification. Absent, every signature is accepted (the credential scope is still parsed
   * into the request context); nothing implements it yet.
   */
  readonly verifySignature?: VerifySignature;
}

/** Every operation this API serves. */
const ROUTES = [
  ...functionRoutes,
  ...versionRoutes,
  ...aliasRoutes,
  ...concurrencyRoutes,
  ...layerRoutes,
  ...invokeRoutes,
  ...invokeStreamRoutes,
  ...tagRoutes,
  ...accountRoutes,
  ...codeRoutes,
  ...healthRoutes,
  ...eventInvokeConfigRoutes,
  ...functionUrlRoutes,
  ...policyRoutes,
  ...eventSourceMappingRoutes,
];

/** The request listener to attach to an http.Server (port 4566 by default). */
export function createApiHandler(
  options: ApiHandlerOptions,
): (req: IncomingMessage, res: ServerResponse) => void {
  const {
    control,
    invoker,
    streamingInvoker,
    ctx,
    functionConfig,
    eventSourceMappings,
    onRequest,
    verifySignature,
  } = options;
  return createServe({
    router: new Router(ROUTES),
    services: {
      control,
      invoker,
      ctx,
      ...(streamingInvoker === undefined ? {} : { streamingInvoker }),
      ...(functionConfig === undefined ? {} : { functionConfig }),
      ...(eventSourceMappings === undefined ? {} : { eventSourceMappings }),
    },
    ...(onRequest === undefined ? {} : { onRequest }),
    ...(verifySignature === undefined ? {} : { verifySignature }),
  });
}
