import { runExecutorContract } from './executor-contract.js';
import { MACHINE_SKIPS } from './skips.js';

runExecutorContract('process', MACHINE_SKIPS);
