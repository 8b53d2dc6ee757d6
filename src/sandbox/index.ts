/**
 * Execution environments: the EnvironmentPool behind the invocation service, and what
 * `fogbank doctor` and server start-up need from this layer.
 */
export { probeSandbox, type SandboxCapabilities } from './capabilities.js';
export type { CgroupController, CgroupVersion } from './cgroup.js';
export { cleanupStale, type StaleCleanup } from './cleanup.js';
export { createEnvironmentPool, type EnvironmentPoolOptions } from './environment-pool.js';
export type { EnvironmentState } from './environment.js';
export type { SandboxErrorCode } from './executor.js';
export { resolveRuntime, type RuntimeFamily, type RuntimeInfo } from './runtime-resolver.js';
export type * from './types.js';
