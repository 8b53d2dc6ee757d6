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
  process: SandboxProcess | undefined;
  stateWritten: Promise<void>;
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
  /** Spawns the runtime; it is in its cgroups before it execs. */
  start(sandbox: Sandbox): SandboxProcess;
  /** Hands one invocation to the runtime; its answer arrives through the Runtime API hooks. */
  invoke(sandbox: Sandbox, request: InvokeRequest, deadlineMs: number): void;
  /** Kills every process of the sandbox and releases its cgroups, listener and directory. */
  stop(sandbox: Sandbox): Promise<void>;
}

/** An Executor for the given isolation layout. */
export function createExecutor(layout: SandboxLayout, ctx: ExecutorContext): Executor {
  return {
    isolation: layout.isolation,

    async prepare(spec, environmentId, logStreamName, hooks) {
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
        const plan = await layout.launchPlan({
          spec,
          runtime,
          dir,
          runtimeApi: listening.value,
          logStreamName,
        });
        return {
          environmentId,
          dir,
          runtime,
          runtimeApi,
          cgroup: cgroup.value,
          plan,
          process: undefined,
          stateWritten: Promise.resolve(),
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
        rm(sandbox.dir, { recursive: true, force: true }),
      ]);
      for (const result of results) {
        if (result.status === 'rejected') {
          ctx.onWarning(
            `could not clean up sandbox ${sandbox.environmentId}: ${String(result.reason)}`,
          );
        }
      }
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
