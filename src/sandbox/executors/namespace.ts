import { lstat, mkdir, readlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { CodeMounts } from '../code-mounts.js';
import { blankVariables, buildEnvironmentVariables } from '../environment-variables.js';
import type { BlankLayout, SandboxLayout } from '../executor.js';
import type { LayerCache } from '../layers.js';
import { runtimeCommand } from '../runtime-command.js';
import type { RuntimeInfo } from '../runtime-resolver.js';
import type { LaunchPlan } from '../sandbox-process.js';
import type { EnvironmentSpec } from '../types.js';

/** Lambda runs functions as sbx_user1051, uid and gid 993. */
export const SANDBOX_UID = 993;

/** Where the environment's own Runtime API socket and Fogbank's API socket appear inside. */
const RUNTIME_SOCKET_DIR = '/run/fogbank';
const RUNTIME_SOCKET = `${RUNTIME_SOCKET_DIR}/runtime.sock`;
const API_SOCKET = '/run/fogbank-api.sock';

/** The Runtime API address Lambda gives runtimes; a relay inside serves it (src/runtimes/relay.cjs). */
const SANDBOX_RUNTIME_API = '127.0.0.1:9001';

/** The parts of the host a runtime needs: read-only, and nothing else (no /root, no data dir). */
const SYSTEM_DIRS = ['/usr', '/etc'];
const SYSTEM_LINK_DIRS = ['/bin', '/sbin', '/lib', '/lib32', '/lib64', '/libx32'];

export interface NamespaceLayoutOptions {
  readonly bwrapPath: string;
  readonly runtimesDir: string;
  /** A host socket on which the server serves its API, bound into every sandbox. */
  readonly apiSocketPath?: string;
  readonly layers: LayerCache;
  /**
   * When the server runs as root, bubblewrap runs privileged (no user namespace) and the
   * runtime drops to uid 993 with setpriv: a user namespace created by root would map the
   * sandbox's uid to host root, and root-owned files in bound directories would be its own.
   * Otherwise a user namespace maps the server's uid to 993.
   */
  readonly setprivPath: string | undefined;
  /** The pool's run directory (a shared mount in the pool's mount namespace when pre-booting). */
  readonly runDir: string;
  /** Whether blank runtimes are pre-booted (see CodeMounts). */
  readonly preboot: boolean;
  readonly onWarning: (message: string) => void;
}

/**
 * `namespace` isolation with bubblewrap: pid, ipc, uts, mount and network namespaces; a
 * read-only system; code at /var/task, layers at /opt, runtimes at /var/runtime; a private
 * /tmp of EphemeralStorage size; an unprivileged uid; killed with its parent.
 */
export async function createNamespaceLayout(
  options: NamespaceLayoutOptions,
): Promise<SandboxLayout> {
  const systemMounts = await systemMountArgs();
  const privateVariables: Record<string, string> = {
    _FOGBANK_RUNTIME_SOCKET: RUNTIME_SOCKET,
    ...(options.apiSocketPath !== undefined ? { _FOGBANK_API_SOCKET: API_SOCKET } : {}),
  };
  // Code is mounted into a running sandbox by the server, so pre-booting needs root.
  let codeMounts: CodeMounts | undefined;
  if (options.setprivPath !== undefined && options.preboot) {
    codeMounts = await CodeMounts.open(options.runDir).catch((err: unknown) => {
      options.onWarning(`no pre-booted runtimes: no mount namespace for them: ${String(err)}`);
      return undefined;
    });
  }
  return {
    isolation: 'namespace',

    async runtimeApiAddress(dir) {
      // A directory of its own, bound into the sandbox: the socket is visible to this
      // environment only, across its network namespace (DESIGN.md).
      const socketDir = join(dir, 'rt');
      await mkdir(socketDir, { mode: 0o755 });
      return { socketPath: join(socketDir, 'runtime.sock') };
    },

    async launchPlan({ spec, runtime, dir, logStreamName }) {
      const opt = await options.layers.opt(spec.layerDirs);
      return bubblewrap(spec, runtime, dir, {
        env: { ...functionVariables(spec, runtime, logStreamName), ...privateVariables },
        task: spec.codeDir,
        opt,
      });
    },

    ...(codeMounts !== undefined ? { blanks: blankLayout(codeMounts) } : {}),
  };

  function functionVariables(
    spec: EnvironmentSpec,
    runtime: RuntimeInfo,
    logStreamName: string,
  ): Record<string, string> {
    return buildEnvironmentVariables(
      spec,
      runtime,
      {
        taskRoot: '/var/task',
        runtimeDir: '/var/runtime',
        optDirs: ['/opt'],
        runtimeApi: SANDBOX_RUNTIME_API,
        endpointUrl: endpointUrl(spec),
        sandboxed: true,
      },
      logStreamName,
    );
  }

  function blankLayout(mounts: CodeMounts): BlankLayout {
    return {
      async launchPlan({ template, runtime, dir }) {
        // Empty until specialization mounts the function's code and layers on them.
        await Promise.all(['task', 'opt'].map((d) => mkdir(join(dir, d), { mode: 0o755 })));
        // Nothing of any function: the first environ of a process stays readable in
        // /proc/self/environ after it is replaced.
        const plan = bubblewrap(template, runtime, dir, {
          env: {
            ...blankVariables(runtime),
            AWS_LAMBDA_RUNTIME_API: SANDBOX_RUNTIME_API,
            AWS_ENDPOINT_URL: endpointUrl(template),
            ...privateVariables,
            _FOGBANK_BLANK: '1',
          },
          task: join(dir, 'task'),
          opt: join(dir, 'opt'),
        });
        // Started in the namespace where code is mounted, so that the mounts reach it.
        return { ...plan, ...mounts.enter(plan.file, plan.args) };
      },

      async specialize({ spec, runtime, dir, logStreamName }) {
        const opt = await options.layers.opt(spec.layerDirs);
        const releases = await Promise.all([
          mounts.attach(spec.codeDir, join(dir, 'task')),
          ...(opt !== undefined ? [mounts.attach(opt, join(dir, 'opt'))] : []),
        ]);
        return {
          variables: functionVariables(spec, runtime, logStreamName),
          release: async () => {
            await Promise.all(releases.map((r) => r()));
          },
        };
      },

      close: () => mounts.close(),
    };
  }

  function bubblewrap(
    spec: EnvironmentSpec,
    runtime: RuntimeInfo,
    dir: string,
    shown: { env: Record<string, string>; task: string; opt: string | undefined },
  ): LaunchPlan {
    const command = runtimeCommand(runtime, spec.memorySizeMb, '/var/runtime', {
      node: process.execPath,
    });
    const args: string[] = [
      '--unshare-pid',
      '--unshare-ipc',
      '--unshare-uts',
      '--unshare-net',
      ...(options.setprivPath === undefined
        ? ['--unshare-user', '--uid', String(SANDBOX_UID), '--gid', String(SANDBOX_UID)]
        : []),
      '--die-with-parent',
      '--new-session',
      '--info-fd',
      '4',
      '--block-fd',
      '5',
      '--clearenv',
      ...Object.entries(shown.env).flatMap(([name, value]) => ['--setenv', name, value]),
      ...systemMounts,
      '--proc',
      '/proc',
      '--dev',
      '/dev',
      '--perms',
      '1777',
      '--size',
      String(spec.ephemeralStorageMb * 1024 * 1024),
      '--tmpfs',
      '/tmp',
      // Directories bubblewrap creates on its own are 0700, closed to the sandbox's user.
      ...['/var', '/run'].flatMap((d) => ['--perms', '0755', '--dir', d]),
      '--ro-bind',
      shown.task,
      '/var/task',
      '--ro-bind',
      options.runtimesDir,
      '/var/runtime',
      ...(shown.opt !== undefined ? ['--ro-bind', shown.opt, '/opt'] : []),
      ...installDirMount(command[0] ?? ''),
      '--ro-bind',
      join(dir, 'rt'),
      RUNTIME_SOCKET_DIR,
      ...(options.apiSocketPath !== undefined
        ? ['--ro-bind', options.apiSocketPath, API_SOCKET]
        : []),
      '--chdir',
      '/var/task',
    ];
    const dropPrivileges =
      options.setprivPath === undefined
        ? []
        : [
            options.setprivPath,
            `--reuid=${SANDBOX_UID}`,
            `--regid=${SANDBOX_UID}`,
            '--clear-groups',
            '--inh-caps=-all',
            '--bounding-set=-all',
            '--no-new-privs',
          ];
    return {
      file: options.bwrapPath,
      // Options (with the function's variables and credentials) go through fd 3, not argv,
      // where every user of the host could read them in /proc/<pid>/cmdline.
      args: ['--args', '3', ...dropPrivileges, ...command],
      env: { PATH: '/usr/bin:/bin' },
      cwd: '/',
      fd3: Buffer.from(args.map((a) => `${a}\0`).join('')),
      foldsSignals: true,
      ownSession: true,
      joinsCgroupsOnBlockFd: true,
    };
  }
}

function endpointUrl(spec: EnvironmentSpec): string {
  return `http://127.0.0.1:${spec.apiEndpoint.port}`;
}

/** bubblewrap options that show the system directories read-only (symlinks stay symlinks). */
async function systemMountArgs(): Promise<string[]> {
  const args: string[] = [];
  for (const dir of SYSTEM_DIRS) {
    args.push('--ro-bind', dir, dir);
  }
  for (const dir of SYSTEM_LINK_DIRS) {
    try {
      const info = await lstat(dir);
      if (info.isSymbolicLink()) {
        args.push('--symlink', await readlink(dir), dir);
      } else if (info.isDirectory()) {
        args.push('--ro-bind', dir, dir);
      }
    } catch {
      // Not on this machine.
    }
  }
  return args;
}

/**
 * An interpreter installed outside the system directories (e.g. /opt/node-v20/bin/node)
 * is shown at its own path: its install prefix, read-only.
 */
function installDirMount(executable: string): string[] {
  const inSystem = [...SYSTEM_DIRS, ...SYSTEM_LINK_DIRS].some((d) =>
    executable.startsWith(`${d}/`),
  );
  if (inSystem || !executable.startsWith('/')) {
    return [];
  }
  const bin = dirname(executable);
  const prefix = dirname(bin);
  // Never a top-level directory such as /root or /home: only the interpreter's own tree.
  const dir = prefix.split('/').length > 2 ? prefix : bin;
  return ['--ro-bind', dir, dir];
}
