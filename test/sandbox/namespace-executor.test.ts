import { describe } from 'node:test';
import { runExecutorContract } from './executor-contract.js';
import { MACHINE_SKIPS, NAMESPACE_UNAVAILABLE } from './skips.js';

if (NAMESPACE_UNAVAILABLE === undefined) {
  runExecutorContract('namespace', MACHINE_SKIPS);
} else {
  describe('executor contract: namespace', { skip: NAMESPACE_UNAVAILABLE }, () => undefined);
}
