import { access, constants, mkdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { FogbankError } from '../../core/errors.js';
import { blankVariables, buildEnvironmentVariables } from '../environment-variables.js';
import type { SandboxErrorCode, SandboxLayout } from '../executor.js';
import { runtimeCommand } from '../runtime-command.js';
import type { RuntimeInfo } from '../runtime-resolver.js';
import type { EnvironmentSpec } from '../types.js';

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
      const launcher =
        runtime.family === 'provided'
          ? { bootstrap: await findBootstrap(spec.codeDir, layerSearchOrder(spec)) }
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
        env: functionVariables(spec, runtime, dir, runtimeApi, logStreamName),
        cwd: spec.codeDir,
        foldsSignals: false,
        ownSession: false,
      };
    },

    blanks: {
      launchPlan({ template, runtime, dir, runtimeApi }) {
        const [file, ...args] = runtimeCommand(
          runtime,
          template.memorySizeMb,
          options.runtimesDir,
          {
            node: process.execPath,
          },
        );
        return Promise.resolve({
          file: file ?? '',
          args,
          env: {
            ...blankVariables(runtime),
            AWS_LAMBDA_RUNTIME_API: runtimeApi,
            TMPDIR: join(dir, 'tmp'),
            _FOGBANK_BLANK: '1',
          },
          cwd: dir,
          foldsSignals: false,
          ownSession: false,
        });
      },

      specialize({ spec, runtime, dir, runtimeApi, logStreamName }) {
        // Nothing to mount: the runtime changes to the code directory itself.
        return Promise.resolve({
          variables: functionVariables(spec, runtime, dir, runtimeApi, logStreamName),
          release: () => Promise.resolve(),
        });
      },

      close: () => Promise.resolve(),
    },
  };

  function functionVariables(
    spec: EnvironmentSpec,
    runtime: RuntimeInfo,
    dir: string,
    runtimeApi: string,
    logStreamName: string,
  ): Record<string, string> {
    return buildEnvironmentVariables(
      spec,
      runtime,
      {
        taskRoot: spec.codeDir,
        runtimeDir: options.runtimesDir,
        optDirs: layerSearchOrder(spec),
        runtimeApi,
        endpointUrl: `http://${spec.apiEndpoint.host}:${spec.apiEndpoint.port}`,
        sandboxed: false,
      },
      logStreamName,
      // DIVERGENCE: /tmp is shared with the host in process mode; a scratch directory of the
      // environment's own is the closest equivalent (os.tmpdir() and tempfile honour it).
      { TMPDIR: join(dir, 'tmp') },
    );
  }
}

/**
 * Without a mount namespace there is no /opt: layers are searched in place, the last layer
 * first because it would have overwritten the others.
 */
function layerSearchOrder(spec: EnvironmentSpec): string[] {
  return [...spec.layerDirs].reverse();
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
