import { chmod, mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Clock } from '../core/clock.js';
import { FogbankError } from '../core/errors.js';
import { probe } from './capabilities.js';
import { createServerGroup, NO_CGROUPS, removeCgroupDirs, serverGroupDirs } from './cgroup.js';
import { ExecutionEnvironment } from './environment.js';
import { createExecutor, type Executor, type SandboxErrorCode } from './executor.js';
import { createNamespaceLayout } from './executors/namespace.js';
import { createProcessLayout } from './executors/process.js';
import { LayerCache, LAYERS_DIR } from './layers.js';
import type {
  EnvironmentPool,
  EnvironmentSpec,
  InvokeRequest,
  InvokeResult,
  Isolation,
  PoolStats,
} from './types.js';

export interface EnvironmentPoolOptions {
  /** `auto` picks `namespace` when bubblewrap works, else `process` (with a loud warning). */
  readonly isolation: 'auto' | 'namespace' | 'process';
  /** Host directory for per-environment sockets and scratch space. */
  readonly runDir: string;
  /** Absolute path of the repository's src/runtimes (shown as /var/runtime). */
  readonly runtimesDir: string;
  readonly clock: Clock;
  /** An idle environment is stopped after this long without an invocation. */
  readonly idleTimeoutMs: number;
  /** A host Unix socket serving Fogbank's API, bound into namespace sandboxes. */
  readonly apiSocketPath?: string;
  readonly onWarning?: (message: string) => void;
}

/** Creates the pool of execution environments, choosing and checking the isolation. */
export async function createEnvironmentPool(
  options: EnvironmentPoolOptions,
): Promise<EnvironmentPool> {
  const onWarning = options.onWarning ?? ((): void => undefined);
  const runDir = resolve(options.runDir);
  const { capabilities, cgroups: detected } = await probe();
  let isolation: Isolation = 'process';
  let reason = 'process isolation was requested';
  if (options.isolation !== 'process') {
    if (capabilities.bwrap.works) {
      isolation = 'namespace';
    } else if (options.isolation === 'namespace') {
      throw new FogbankError<SandboxErrorCode>(
        'ERR_SANDBOX_UNAVAILABLE',
        `namespace isolation needs a working bubblewrap: ${capabilities.bwrap.error ?? 'unknown error'}`,
      );
    } else {
      reason = `bubblewrap is not usable here: ${capabilities.bwrap.error ?? 'unknown error'}`;
    }
  }
  if (isolation === 'process') {
    onWarning(
      `WARNING: environments are NOT isolated (${reason}). Functions run as plain processes ` +
        "with this server's user and can read each other's files and the host's: run trusted " +
        'code only, or install bubblewrap (Debian package bubblewrap) and use isolation auto.',
    );
  }
  await mkdir(runDir, { recursive: true, mode: 0o755 });
  let cgroups = detected;
  const groupDirs = serverGroupDirs(cgroups, runDir);
  try {
    await createServerGroup(cgroups, groupDirs);
  } catch (err) {
    onWarning(`cannot create cgroups (${String(err)})`);
    cgroups = NO_CGROUPS;
    groupDirs.clear();
  }
  if (!cgroups.parents.has('memory')) {
    onWarning(
      'no usable memory cgroup: memory limits are not enforced and out-of-memory is not detected',
    );
  }
  if (isolation === 'namespace' && options.apiSocketPath !== undefined) {
    // The sandbox's unprivileged user connects to it: connecting needs write permission.
    await chmod(options.apiSocketPath, 0o666).catch((err: unknown) => {
      onWarning(
        `functions cannot reach the API socket ${options.apiSocketPath ?? ''}: ${String(err)}`,
      );
    });
  }
  const layers = new LayerCache(join(runDir, LAYERS_DIR));
  const root = process.getuid?.() === 0;
  const layout =
    isolation === 'namespace'
      ? await createNamespaceLayout({
          bwrapPath: capabilities.bwrap.path ?? 'bwrap',
          runtimesDir: options.runtimesDir,
          ...(options.apiSocketPath !== undefined ? { apiSocketPath: options.apiSocketPath } : {}),
          layers,
          setprivPath: root ? capabilities.setpriv : undefined,
        })
      : createProcessLayout({ runtimesDir: options.runtimesDir });
  const executor = createExecutor(layout, {
    runDir,
    cgroups,
    cgroupGroupDirs: groupDirs,
    onWarning,
  });
  return new Pool(executor, options, async () => {
    await layers.clear();
    await removeCgroupDirs([...new Set(groupDirs.values())]);
  });
}

interface KeyGroup {
  readonly all: Set<ExecutionEnvironment>;
  /** Idle environments, most recently used last (reused first: it is the warmest). */
  readonly idle: ExecutionEnvironment[];
}

/**
 * Environments per EnvironmentSpec.key: a warm idle one if there is one, else a new one.
 * An invocation never waits for a busy environment.
 */
class Pool implements EnvironmentPool {
  readonly isolation: Isolation;
  readonly #executor: Executor;
  readonly #options: EnvironmentPoolOptions;
  readonly #release: () => Promise<void>;
  readonly #groups = new Map<string, KeyGroup>();
  #stopping: Promise<void> | undefined;

  constructor(executor: Executor, options: EnvironmentPoolOptions, release: () => Promise<void>) {
    this.isolation = executor.isolation;
    this.#executor = executor;
    this.#options = options;
    this.#release = release;
  }

  invoke(spec: EnvironmentSpec, request: InvokeRequest): Promise<InvokeResult> {
    if (this.#stopping !== undefined) {
      return Promise.reject(
        new FogbankError<SandboxErrorCode>('ERR_POOL_STOPPED', 'The environment pool is stopping'),
      );
    }
    let group = this.#groups.get(spec.key);
    if (group === undefined) {
      group = { all: new Set(), idle: [] };
      this.#groups.set(spec.key, group);
    }
    for (let warm = group.idle.pop(); warm !== undefined; warm = group.idle.pop()) {
      if (warm.state === 'Ready' || warm.state === 'Frozen') {
        return warm.invoke(request);
      }
    }
    const environment = new ExecutionEnvironment(spec, {
      executor: this.#executor,
      clock: this.#options.clock,
      idleTimeoutMs: this.#options.idleTimeoutMs,
      onIdle: (env) => {
        this.#onIdle(env);
      },
      onStopped: (env) => {
        this.#onStopped(env);
      },
    });
    group.all.add(environment);
    return environment.start(request);
  }

  drain(key: string): void {
    for (const environment of this.#groups.get(key)?.all ?? []) {
      environment.retire();
    }
  }

  stats(key?: string): PoolStats {
    const groups =
      key === undefined
        ? [...this.#groups.values()]
        : [this.#groups.get(key)].filter((g) => g !== undefined);
    let total = 0;
    let busy = 0;
    let idle = 0;
    for (const group of groups) {
      for (const environment of group.all) {
        total++;
        if (environment.busy) {
          busy++;
        } else if (environment.state === 'Ready' || environment.state === 'Frozen') {
          idle++;
        }
      }
    }
    return { total, busy, idle };
  }

  stop(graceMs: number): Promise<void> {
    this.#stopping ??= this.#stop(graceMs);
    return this.#stopping;
  }

  async #stop(graceMs: number): Promise<void> {
    const environments = [...this.#groups.values()].flatMap((g) => [...g.all]);
    for (const environment of environments) {
      environment.retire();
    }
    const allStopped = Promise.all(environments.map((e) => e.stopped));
    const grace = new AbortController();
    await Promise.race([
      allStopped,
      this.#options.clock.sleep(graceMs, grace.signal).catch(() => undefined),
    ]);
    grace.abort();
    await Promise.all(environments.map((e) => e.stop()));
    await this.#release();
  }

  #onIdle(environment: ExecutionEnvironment): void {
    if (this.#stopping !== undefined) {
      void environment.stop();
      return;
    }
    this.#groups.get(environment.spec.key)?.idle.push(environment);
  }

  #onStopped(environment: ExecutionEnvironment): void {
    const group = this.#groups.get(environment.spec.key);
    if (group === undefined) {
      return;
    }
    group.all.delete(environment);
    const index = group.idle.indexOf(environment);
    if (index !== -1) {
      group.idle.splice(index, 1);
    }
    if (group.all.size === 0) {
      this.#groups.delete(environment.spec.key);
    }
  }
}
