import { join } from 'node:path';
import type { FunctionResolver } from '../invoke/types.js';
import { CodeStore } from './code-store.js';
import { ControlPlaneService, type ControlPlaneOptions } from './control-plane.js';
import type { ControlPlane, ProvisionedConcurrencyHooks } from './types.js';

export type { ControlPlaneOptions } from './control-plane.js';
export type * from './types.js';

/**
 * The registry as the platform uses it: the control plane, the resolver, the hooks of the
 * environment pool for provisioned concurrency, and its lifecycle.
 */
export type Registry = ControlPlane &
  FunctionResolver &
  ProvisionedConcurrencyHooks & {
    /** Cancels pending lifecycle transitions (the next start finishes them) and waits for running ones. */
    stop(): Promise<void>;
  };

/**
 * Opens the code store under `<dataDir>/code`, finishes what a previous run left pending,
 * and returns the registry.
 */
export async function createControlPlane(options: ControlPlaneOptions): Promise<Registry> {
  const code = await CodeStore.open(join(options.dataDir, 'code'));
  const registry = new ControlPlaneService(options, code);
  await registry.start();
  return registry;
}
