import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FogbankError } from '../core/errors.js';
import { EnvironmentCgroup, type CgroupController, type CgroupHierarchy } from './cgroup.js';
import { processStartTime } from './process-tree.js';
import { RuntimeApi, type RuntimeApiAddress } from './runtime-api/server.js';
import type { RuntimeApiHooks } from './runtime-api/session.js';
import { resolveRuntime, type RuntimeInfo } from './runtime-resolver.js';
import { type LaunchPlan, SandboxProcess } from './sandbox-process.js';
import type { EnvironmentSpec, InvokeRequest, Isolation } from './types.js';

export type SandboxErrorCode =
  | 'ERR_UNSUPPORTED_RUNTIME'
  | 'ERR_INVALID_ENTRYPOINT'
  | 'ERR_SANDBOX_PREPARE'
  | 'ERR_SANDBOX_UNAVAILABLE'
  | 'ERR_INVALID_STATE'
  | 'ERR_POOL_STOPPED'
  | 'ERR_PROVISION_FAILED';

/** Lambda's per-environment limit on processes and threads. */
const PIDS_MAX = 1024;

/** Name of the file in an environment directory that lets `cleanupStale` find its processes. */
export const SANDBOX_STATE_FILE = 'sandbox.json';

/** What `cleanupStale` reads back after a crash of the server. */
export interface SandboxState {
  readonly pid: number;
  readonly startTime: string;
  readonly cgroupDirs: readonly string[];
}

/** What the isolation decides: where the Runtime API listens and how the runtime starts. */
export interface SandboxLayout {
  readonly isolation: Isolation;
  /** Creates what the listener needs inside the environment directory and says where it is. */
  runtimeApiAddress(dir: string): Promise<RuntimeApiAddress>;
  /** The command, variables and working directory of the runtime. */
  launchPlan(input: LaunchInput): Promise<LaunchPlan>;
  /** Pre-booted blank runtimes; absent where code cannot be put into a running sandbox. */
  readonly blanks?: BlankLayout;
}

/**
 * How a blank runtime is started with nothing of any function, and later becomes one
 * (`nodejs` and `python` only: a `provided` runtime's bootstrap is the function's own).
 */
export interface BlankLayout {
  launchPlan(input: BlankLaunchInput): Promise<LaunchPlan>;
  /**
   * Makes the function's code and layers visible in the running sandbox and says what its
   * variables are; `release` undoes the mounts before the sandbox's directory is removed.
   */
  specialize(input: LaunchInput): Promise<{
    readonly variables: Record<string, string>;
    readonly release: () => Promise<void>;
  }>;
  /** Releases what the layout holds for all sandboxes (shared mounts). */
  close(): Promise<void>;
}

export interface BlankLaunchInput {
  /** A spec of the kind of function the blank will become (runtime, memory, storage, endpoint). */
  readonly template: EnvironmentSpec;
  readonly runtime: RuntimeInfo;
  readonly dir: string;
  readonly runtimeApi: string;
}

export interface LaunchInput {
  readonly spec: EnvironmentSpec;
  readonly runtime: RuntimeInfo;
  /** The environment's directory on the host. */
  readonly dir: string;
  /** Where the Runtime API listens (`host:port` or a socket path). */
  readonly runtimeApi: string;
  readonly logStreamName: string;
}

/** Settings shared by every sandbox of a pool. */
export interface ExecutorContext {
  readonly runDir: string;
  readonly cgroups: CgroupHierarchy;
  /** The server's group under each controller (see serverGroupDirs). */
  readonly cgroupGroupDirs: ReadonlyMap<CgroupController, string>;
  readonly onWarning: (message: string) => void;
}

/** One environment's sandbox: its directory, cgroups, Runtime API and (once started) process. */
export interface Sandbox {
  readonly environmentId: string;
  readonly dir: string;
  readonly runtime: RuntimeInfo;
  readonly runtimeApi: RuntimeApi;
  readonly cgroup: EnvironmentCgroup | undefined;
  readonly plan: LaunchPlan;
  /** Where the runtime reaches its Runtime API (`host:port` or a socket path). */
  readonly runtimeApiAddress: string;
  process: SandboxProcess | undefined;
  stateWritten: Promise<void>;
  /** Undoes a specialization's mounts. */
  unmount: () => Promise<void>;
}

/**
 * Runs execution environments with one kind of isolation (`namespace` or `process`).
 * The environment state machine drives it: prepare → start → invoke* → stop.
 */
export interface Executor {
  readonly isolation: Isolation;
  /** Creates the environment's directory, cgroups and Runtime API listener, and plans its launch. */
  prepare(
    spec: EnvironmentSpec,
    environmentId: string,
    logStreamName: string,
    hooks: RuntimeApiHooks,
  ): Promise<Sandbox>;
  /** Whether blank runtimes can be pre-booted (prepareBlank and specialize work). */
  readonly preboots: boolean;
  /** Like prepare, for a blank runtime that can become any function like `template`. */
  prepareBlank(
    template: EnvironmentSpec,
    environmentId: string,
    hooks: RuntimeApiHooks,
  ): Promise<Sandbox>;
  /**
   * Turns a started blank sandbox, waiting for its specialization, into `spec`'s environment:
   * its Runtime API calls go to `hooks` from now on, its code and layers appear at
   * /var/task and /opt, and the runtime gets the function's variables and starts its init.
   */
  specialize(
    sandbox: Sandbox,
    spec: EnvironmentSpec,
    logStreamName: string,
    hooks: RuntimeApiHooks,
  ): Promise<void>;
  /** Spawns the runtime; it is in its cgroups before it execs. */
  start(sandbox: Sandbox): SandboxProcess;
  /** Hands one invocation to the runtime; its answer arrives through the Runtime API hooks. */
  invoke(sandbox: Sandbox, request: InvokeRequest, deadlineMs: number): void;
  /** Kills every process of the sandbox and releases its cgroups, listener and directory. */
  stop(sandbox: Sandbox): Promise<void>;
  /** Releases what is shared by all sandboxes, once every sandbox is stopped. */
  close(): Promise<void>;
}

/** An Executor for the given isolation layout. */
export function createExecutor(layout: SandboxLayout, ctx: ExecutorContext): Executor {
  const blanks = layout.blanks;

  async function prepare(
    spec: EnvironmentSpec,
    environmentId: string,
    hooks: RuntimeApiHooks,
    plan: (runtime: RuntimeInfo, dir: string, runtimeApi: string) => Promise<LaunchPlan>,
  ): Promise<Sandbox> {
    const runtime = resolveRuntime(spec.runtime);
    if (runtime === undefined) {
      throw new FogbankError<SandboxErrorCode>(
        'ERR_UNSUPPORTED_RUNTIME',
        `Runtime ${spec.runtime} is not available on this machine`,
      );
    }
    const dir = join(ctx.runDir, environmentId);
    const runtimeApi = new RuntimeApi(hooks);
    const [listening, cgroup] = await Promise.allSettled([
      mkdir(dir, { mode: 0o755 })
        .then(() => layout.runtimeApiAddress(dir))
        .then((address) => runtimeApi.listen(address)),
      ctx.cgroups.version === 'none' || ctx.cgroupGroupDirs.size === 0
        ? undefined
        : EnvironmentCgroup.create(ctx.cgroups.version, ctx.cgroupGroupDirs, environmentId, {
            memoryMb: spec.memorySizeMb,
            pidsMax: PIDS_MAX,
          }),
    ]);
    const release = async (): Promise<void> => {
      await runtimeApi.close().catch(() => undefined);
      if (cgroup.status === 'fulfilled') {
        await cgroup.value?.remove().catch(() => undefined);
      }
      await rm(dir, { recursive: true, force: true });
    };
    try {
      if (listening.status === 'rejected') {
        throw listening.reason;
      }
      if (cgroup.status === 'rejected') {
        throw cgroup.reason;
      }
      return {
        environmentId,
        dir,
        runtime,
        runtimeApi,
        cgroup: cgroup.value,
        plan: await plan(runtime, dir, listening.value),
        runtimeApiAddress: listening.value,
        process: undefined,
        stateWritten: Promise.resolve(),
        unmount: () => Promise.resolve(),
      };
    } catch (err) {
      await release();
      if (err instanceof FogbankError) {
        throw err;
      }
      throw new FogbankError<SandboxErrorCode>(
        'ERR_SANDBOX_PREPARE',
        `Could not prepare a sandbox for ${spec.functionName}: ${String(err)}`,
        { cause: err },
      );
    }
  }

  return {
    isolation: layout.isolation,
    preboots: blanks !== undefined,

    prepare(spec, environmentId, logStreamName, hooks) {
      return prepare(spec, environmentId, hooks, (runtime, dir, runtimeApi) =>
        layout.launchPlan({ spec, runtime, dir, runtimeApi, logStreamName }),
      );
    },

    prepareBlank(template, environmentId, hooks) {
      if (blanks === undefined) {
        return Promise.reject(
          new FogbankError<SandboxErrorCode>('ERR_INVALID_STATE', 'No pre-booted runtimes here'),
        );
      }
      return prepare(template, environmentId, hooks, (runtime, dir, runtimeApi) =>
        blanks.launchPlan({ template, runtime, dir, runtimeApi }),
      );
    },

    async specialize(sandbox, spec, logStreamName, hooks) {
      if (blanks === undefined) {
        throw new FogbankError<SandboxErrorCode>(
          'ERR_INVALID_STATE',
          'No pre-booted runtimes here',
        );
      }
      sandbox.runtimeApi.hooks = hooks;
      const { variables, release } = await blanks.specialize({
        spec,
        runtime: sandbox.runtime,
        dir: sandbox.dir,
        runtimeApi: sandbox.runtimeApiAddress,
        logStreamName,
      });
      sandbox.unmount = release;
      if (!sandbox.runtimeApi.specialize(variables)) {
        throw new FogbankError<SandboxErrorCode>(
          'ERR_INVALID_STATE',
          `The blank runtime of ${sandbox.environmentId} is not waiting for a function`,
        );
      }
    },

    start(sandbox) {
      const child = new SandboxProcess(sandbox.plan, sandbox.cgroup);
      sandbox.process = child;
      const pid = child.pid;
      if (pid !== undefined) {
        sandbox.stateWritten = recordState(sandbox, pid).catch((err: unknown) => {
          ctx.onWarning(`could not record sandbox ${sandbox.environmentId}: ${String(err)}`);
        });
      }
      return child;
    },

    invoke(sandbox, request, deadlineMs) {
      sandbox.runtimeApi.deliver(request, deadlineMs);
    },

    async stop(sandbox) {
      sandbox.runtimeApi.abandon();
      await sandbox.process?.kill();
      await sandbox.stateWritten;
      const results = await Promise.allSettled([
        sandbox.runtimeApi.close(),
        sandbox.cgroup?.remove(),
        // The code is unmounted first: the directory's removal never reaches into it.
        sandbox.unmount().then(() => rm(sandbox.dir, { recursive: true, force: true })),
      ]);
      for (const result of results) {
        if (result.status === 'rejected') {
          ctx.onWarning(
            `could not clean up sandbox ${sandbox.environmentId}: ${String(result.reason)}`,
          );
        }
      }
    },

    async close() {
      await blanks?.close();
    },
  };
}

/** Writes what `cleanupStale` needs to find this sandbox's processes after a server crash. */
async function recordState(sandbox: Sandbox, pid: number): Promise<void> {
  const state: SandboxState = {
    pid,
    startTime: (await processStartTime(pid)) ?? '',
    cgroupDirs: sandbox.cgroup?.dirs ?? [],
  };
  await writeFile(join(sandbox.dir, SANDBOX_STATE_FILE), JSON.stringify(state));
}
