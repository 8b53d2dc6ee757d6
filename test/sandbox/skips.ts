import { probeSandbox } from '../../src/sandbox/index.js';
import type { Skips } from './executor-contract.js';

const capabilities = await probeSandbox();

/** Why namespace tests cannot run here, or undefined when they can. */
export const NAMESPACE_UNAVAILABLE: string | undefined = capabilities.bwrap.works
  ? undefined
  : `bubblewrap is not usable on this machine: ${capabilities.bwrap.error ?? 'unknown'}`;

/** Contract tests that need machine features this machine lacks. */
export const MACHINE_SKIPS: Skips = capabilities.cgroup.controllers.memory
  ? {}
  : {
      'reports an out-of-memory kill as Runtime.OutOfMemory while others keep serving':
        'no usable memory cgroup: memory is not limited, so there is no OOM kill to report',
    };
