/**
 * The per-qualifier settings of functions, as one set of services over one store: async
 * invocation configs, function URLs and resource policies, kept in step with the registry
 * (a deleted function, version or alias takes its settings with it).
 */
import type { AccountContext } from '../../core/arn.js';
import type { Clock } from '../../core/clock.js';
import type { FunctionConfigStore } from '../../store/sqlite/function-config-tables.js';
import { EventInvokeConfigs } from '../event-invoke-configs.js';
import { FunctionUrls } from '../function-urls.js';
import { KeyedMutex } from '../keyed-mutex.js';
import { Policies } from '../policies.js';
import { ConfigCleanup } from './cleanup.js';
import type { ConfigResolver, DestinationValidator } from './types.js';

export type * from './types.js';
export { EventInvokeConfigs } from '../event-invoke-configs.js';
export { FunctionUrls } from '../function-urls.js';
export { Policies } from '../policies.js';
export { functionUrl, functionUrlId, functionUrlIdFromHost } from './url-address.js';

export interface FunctionConfigServicesOptions {
  readonly store: FunctionConfigStore;
  /** The registry: existence of functions, versions and aliases, and its change events. */
  readonly resolver: ConfigResolver;
  readonly ctx: AccountContext;
  readonly clock: Clock;
  /** Base URL of this server as clients reach it (`http://127.0.0.1:4566`); FunctionUrl is built from it. */
  readonly publicEndpoint: string;
  /** Whether a queue, topic, bus or bucket named as an async destination exists. */
  readonly destinations: DestinationValidator;
  /** Told when removing a deleted function's settings failed. */
  readonly onWarning?: (message: string) => void;
}

export interface FunctionConfigServices {
  /** Event invoke configs; also the `eventInvokeConfig` half of the async AsyncConfigSource. */
  readonly eventInvokeConfigs: EventInvokeConfigs;
  readonly functionUrls: FunctionUrls;
  readonly policies: Policies;
  /** Resolves when the clean-ups that registry changes started so far have finished. */
  settled(): Promise<void>;
}

/** Builds the three services and subscribes them to the registry's changes. */
export function createFunctionConfigServices(
  options: FunctionConfigServicesOptions,
): FunctionConfigServices {
  const deps = {
    store: options.store,
    resolver: options.resolver,
    ctx: options.ctx,
    clock: options.clock,
    locks: new KeyedMutex(),
  };
  const eventInvokeConfigs = new EventInvokeConfigs(deps, options.destinations);
  const functionUrls = new FunctionUrls(deps, options.publicEndpoint);
  const policies = new Policies(deps);
  const cleanup = new ConfigCleanup({
    store: options.store,
    resolver: options.resolver,
    locks: deps.locks,
    forget: (functionName) => {
      eventInvokeConfigs.forget(functionName);
      functionUrls.forget();
    },
    onWarning: options.onWarning ?? (() => undefined),
  });
  options.resolver.onChange((functionName) => {
    cleanup.changed(functionName);
  });
  return {
    eventInvokeConfigs,
    functionUrls,
    policies,
    settled: () => cleanup.settled(),
  };
}
