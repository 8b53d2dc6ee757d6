import type { RuntimeInfo } from './runtime-resolver.js';

/**
 * The command that starts a runtime. `runtimeDir` is where src/runtimes is visible
 * (`/var/runtime` in a sandbox); `bootstrap` is the path of a `provided` function's
 * executable when it runs without the launcher.
 */
export function runtimeCommand(
  runtime: RuntimeInfo,
  memorySizeMb: number,
  runtimeDir: string,
  launcher: { readonly node: string } | { readonly bootstrap: string },
): string[] {
  switch (runtime.family) {
    case 'nodejs': {
      // Heap sizing as AWS's own Node.js bootstrap (/var/runtime/bootstrap in the
      // public.ecr.aws/lambda/nodejs images): a tenth of memory for the young generation,
      // the rest for the old one, so the heap fails before the memory limit kills the process.
      const newSpace = Math.floor(memorySizeMb / 10);
      return [
        runtime.interpreter ?? process.execPath,
        `--max-semi-space-size=${Math.max(1, Math.floor(newSpace / 2))}`,
        `--max-old-space-size=${memorySizeMb - newSpace}`,
        `${runtimeDir}/nodejs/bootstrap.cjs`,
      ];
    }
    case 'python':
      return [runtime.interpreter ?? 'python3', '-u', `${runtimeDir}/python/bootstrap.py`];
    case 'provided':
      return 'node' in launcher
        ? [launcher.node, `${runtimeDir}/provided/launcher.mjs`]
        : [launcher.bootstrap];
  }
}
