import { probeSandbox, resolveRuntime } from '../../sandbox/index.js';

/** Runtimes `fogbank doctor` checks, one per family Fogbank runs. */
const RUNTIMES = ['nodejs20.x', 'nodejs22.x', 'python3.11', 'python3.12', 'provided.al2023'];

/** `fogbank doctor`: what isolation, cgroups and interpreters this machine offers. */
export async function doctorCommand(): Promise<number> {
  const caps = await probeSandbox();
  process.stdout.write(`${JSON.stringify(caps, null, 2)}\n`);
  for (const runtime of RUNTIMES) {
    const info = resolveRuntime(runtime);
    process.stdout.write(
      `${runtime.padEnd(16)} ${info ? JSON.stringify(info) : 'not available'}\n`,
    );
  }
  return 0;
}
