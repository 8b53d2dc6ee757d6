import { join } from 'node:path';
import type { FunctionResolver } from '../invoke/types.js';
import { CodeStore } from './code-store.js';
import { FunctionRegistry, type ControlPlaneOptions } from './registry.js';
import type { ControlPlane } from './types.js';

export type { ControlPlaneOptions } from './registry.js';
export type * from './types.js';

/** The registry as the platform uses it: the control plane, the resolver, and its lifecycle. */
export type Registry = ControlPlane &
  FunctionResolver & {
    /** Cancels pending lifecycle transitions (the next start finishes them) and waits for running ones. */
    stop(): Promise<void>;
  };

/**
 * Opens the code store under `<dataDir>/code`, finishes what a previous run left pending,
 * and returns the registry.
 */
export async function createControlPlane(options: ControlPlaneOptions): Promise<Registry> {
  const code = await CodeStore.open(join(options.dataDir, 'code'));
  const registry = new FunctionRegistry(options, code);
  await registry.start();
  return registry;
}
