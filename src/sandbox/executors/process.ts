import { access, constants, mkdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { FogbankError } from '../../core/errors.js';
import { buildEnvironmentVariables } from '../environment-variables.js';
import type { SandboxErrorCode, SandboxLayout } from '../executor.js';
import { runtimeCommand } from '../runtime-command.js';

export interface ProcessLayoutOptions {
  readonly runtimesDir: string;
}

/**
 * `process` isolation: the runtime is a plain child process in its own process group, with
 * its own variables, scratch directory and Runtime API port on 127.0.0.1 — for machines
 * without bubblewrap, trusted code only (functions can see each other and the host).
 */
export function createProcessLayout(options: ProcessLayoutOptions): SandboxLayout {
  return {
    isolation: 'process',

    async runtimeApiAddress(dir) {
      await mkdir(join(dir, 'tmp'), { mode: 0o700 });
      return { host: '127.0.0.1' };
    },

    async launchPlan({ spec, runtime, dir, runtimeApi, logStreamName }) {
      // Without a mount namespace there is no /opt: layers are searched in place, the last
      // layer first because it would have overwritten the others.
      const optDirs = [...spec.layerDirs].reverse();
      const env = buildEnvironmentVariables(
        spec,
        runtime,
        {
          taskRoot: spec.codeDir,
          runtimeDir: options.runtimesDir,
          optDirs,
          runtimeApi,
          endpointUrl: `http://${spec.apiEndpoint.host}:${spec.apiEndpoint.port}`,
          sandboxed: false,
        },
        logStreamName,
        // DIVERGENCE: /tmp is shared with the host in process mode; a scratch directory of the
        // environment's own is the closest equivalent (os.tmpdir() and tempfile honour it).
        { TMPDIR: join(dir, 'tmp') },
      );
      const launcher =
        runtime.family === 'provided'
          ? { bootstrap: await findBootstrap(spec.codeDir, optDirs) }
          : { node: process.execPath };
      const [file, ...args] = runtimeCommand(
        runtime,
        spec.memorySizeMb,
        options.runtimesDir,
        launcher,
      );
      return {
        file: file ?? '',
        args,
        env,
        cwd: spec.codeDir,
        foldsSignals: false,
        ownSession: false,
      };
    },
  };
}

/**
 * A custom runtime's entrypoint: `bootstrap` in the code, else in the layers (Lambda's
 * /var/task/bootstrap, then /opt/bootstrap). Reported like Lambda's Runtime.InvalidEntrypoint.
 */
async function findBootstrap(codeDir: string, optDirs: readonly string[]): Promise<string> {
  const candidates = [join(codeDir, 'bootstrap'), ...optDirs.map((d) => join(d, 'bootstrap'))];
  for (const candidate of candidates) {
    const info = await stat(candidate).catch(() => undefined);
    if (info?.isFile() !== true) {
      continue;
    }
    try {
      await access(candidate, constants.X_OK);
    } catch {
      throw new FogbankError<SandboxErrorCode>(
        'ERR_INVALID_ENTRYPOINT',
        `fork/exec ${candidate}: permission denied`,
      );
    }
    return candidate;
  }
  throw new FogbankError<SandboxErrorCode>(
    'ERR_INVALID_ENTRYPOINT',
    `Couldn't find valid bootstrap(s): [${candidates.join(' ')}]`,
  );
}
