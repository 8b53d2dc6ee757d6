import { chmod, mkdir } from 'node:fs/promises';
import { totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import type { Clock } from '../core/clock.js';
import { FogbankError, tooManyRequests } from '../core/errors.js';
import { BlankRuntimePool, type PrebootSettings } from './blank-pool.js';
import { probe } from './capabilities.js';
import { createServerGroup, NO_CGROUPS, removeCgroupDirs, serverGroupDirs } from './cgroup.js';
import { ExecutionEnvironment, type PrewarmOutcome } from './environment.js';
import { createExecutor, type Executor, type SandboxErrorCode } from './executor.js';
import { createNamespaceLayout } from './executors/namespace.js';
import { createProcessLayout } from './executors/process.js';
import { LayerCache, LAYERS_DIR } from './layers.js';
import { MemoryBudget } from './memory-budget.js';
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
  /** An environment is frozen this long after its invocation ends (default 0: at once). */
  readonly freezeGraceMs?: number;
  /** A host Unix socket serving Fogbank's API, bound into namespace sandboxes. */
  readonly apiSocketPath?: string;
  /** Pre-booted blank runtimes; absent (or max 0): every cold start starts a sandbox. */
  readonly preboot?: Omit<PrebootSettings, 'idleMs'>;
  /**
   * The most memory environments may reserve together (Σ MemorySize), in MB; default: the
   * machine's memory. Beyond it the least recently used idle environments are stopped, and
   * when none is idle the invocation is throttled.
   */
  readonly memoryLimitMb?: number;
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
          runDir,
          preboot: (options.preboot?.max ?? 0) > 0,
          onWarning,
        })
      : createProcessLayout({ runtimesDir: options.runtimesDir });
  const executor = createExecutor(layout, {
    runDir,
    cgroups,
    cgroupGroupDirs: groupDirs,
    onWarning,
  });
  return new Pool(executor, options, async () => {
    await executor.close();
    await layers.clear();
    await removeCgroupDirs([...new Set(groupDirs.values())]);
  });
}

interface KeyGroup {
  readonly all: Set<ExecutionEnvironment>;
  /** Idle environments, most recently used last (reused first: it is the warmest). */
  readonly idle: ExecutionEnvironment[];
  /** Environments kept for provisioned concurrency, with how their init ahead of traffic ended. */
  readonly provisioned: Map<ExecutionEnvironment, Promise<PrewarmOutcome>>;
  /** How many provisioned environments to keep (0: none). */
  target: number;
  /** The spec provisioned environments are started with. */
  provisionSpec: EnvironmentSpec | undefined;
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
  readonly #budget: MemoryBudget;
  readonly #blanks: BlankRuntimePool;
  /** When each idle environment last finished an invocation (memory eviction is LRU). */
  readonly #idleSince = new Map<ExecutionEnvironment, number>();
  #stopping: Promise<void> | undefined;

  constructor(executor: Executor, options: EnvironmentPoolOptions, release: () => Promise<void>) {
    this.isolation = executor.isolation;
    this.#executor = executor;
    this.#options = options;
    this.#release = release;
    this.#budget = new MemoryBudget(
      options.memoryLimitMb ?? Math.floor(totalmem() / (1024 * 1024)),
    );
    this.#blanks = new BlankRuntimePool(
      executor,
      options.clock,
      { max: 0, min: 0, windowMs: 10_000, ...options.preboot, idleMs: options.idleTimeoutMs },
      this.#budget,
      options.onWarning ?? ((): void => undefined),
    );
  }

  /** Memory reserved by live environments and blank runtimes, and the limit, in MB. */
  get memory(): { readonly reservedMb: number; readonly limitMb: number } {
    return { reservedMb: this.#budget.reservedMb, limitMb: this.#budget.limitMb };
  }

  /** Blank runtimes ready to become a function like `spec` (or of every kind). */
  blanksReady(spec?: EnvironmentSpec): number {
    return this.#blanks.readyCount(spec);
  }

  invoke(spec: EnvironmentSpec, request: InvokeRequest): Promise<InvokeResult> {
    if (this.#stopping !== undefined) {
      return Promise.reject(
        new FogbankError<SandboxErrorCode>('ERR_POOL_STOPPED', 'The environment pool is stopping'),
      );
    }
    const group = this.#group(spec.key);
    // Provisioned environments first; traffic beyond them spills over to on-demand ones.
    const provisioned = group.idle.findLastIndex(
      (e) => e.provisioned && (e.state === 'Ready' || e.state === 'Frozen'),
    );
    if (provisioned !== -1) {
      const [environment] = group.idle.splice(provisioned, 1);
      if (environment !== undefined) {
        this.#idleSince.delete(environment);
        return environment.invoke(request);
      }
    }
    for (let warm = group.idle.pop(); warm !== undefined; warm = group.idle.pop()) {
      if (warm.state === 'Ready' || warm.state === 'Frozen') {
        this.#idleSince.delete(warm);
        return warm.invoke(request);
      }
    }
    if (!this.#makeRoom(spec.memorySizeMb)) {
      this.#forgetIfEmpty(spec.key, group);
      // As Lambda when no environment can be added: the caller retries.
      return Promise.reject(tooManyRequests('ConcurrentInvocationLimitExceeded', 1));
    }
    return this.#newEnvironment(group, spec).start(request);
  }

  /**
   * Frees memory for a new environment of `mb`: ready blank runtimes first, then the least
   * recently used idle environments (never provisioned ones). False when it cannot.
   */
  #makeRoom(mb: number): boolean {
    while (!this.#budget.fits(mb)) {
      if (this.#blanks.evictOne()) {
        continue;
      }
      let oldest: ExecutionEnvironment | undefined;
      let oldestAt = Infinity;
      for (const [environment, since] of this.#idleSince) {
        if (since < oldestAt && !environment.provisioned && !environment.busy) {
          oldest = environment;
          oldestAt = since;
        }
      }
      if (oldest === undefined) {
        return false;
      }
      this.#evict(oldest);
    }
    return true;
  }

  #evict(environment: ExecutionEnvironment): void {
    this.#idleSince.delete(environment);
    const idle = this.#groups.get(environment.spec.key)?.idle;
    const index = idle?.indexOf(environment) ?? -1;
    if (index !== -1) {
      idle?.splice(index, 1);
    }
    // Its memory is free once it is killed, which starts now.
    this.#budget.release(environment);
    void environment.stop();
  }

  async provision(spec: EnvironmentSpec, count: number): Promise<{ available: number }> {
    if (this.#stopping !== undefined) {
      throw new FogbankError<SandboxErrorCode>(
        'ERR_POOL_STOPPED',
        'The environment pool is stopping',
      );
    }
    const group = this.#group(spec.key);
    group.target = count;
    group.provisionSpec = { ...spec, initializationType: 'provisioned-concurrency' };
    // Fewer wanted: release those still initializing first, then idle ones, then busy ones.
    const rank = (e: ExecutionEnvironment): number => (!e.initialized ? 0 : e.busy ? 2 : 1);
    const release = [...group.provisioned.keys()]
      .sort((a, b) => rank(a) - rank(b))
      .slice(0, Math.max(0, group.provisioned.size - count));
    for (const environment of release) {
      group.provisioned.delete(environment);
      environment.unprovision();
    }
    while (group.provisioned.size < count) {
      this.#startProvisioned(group);
    }
    const outcomes = await Promise.all([...group.provisioned.values()]);
    const failed = outcomes.find((o) => !o.ok);
    if (failed?.ok === false && group.target === count) {
      group.target = 0;
      for (const environment of group.provisioned.keys()) {
        environment.unprovision();
      }
      group.provisioned.clear();
      this.#forgetIfEmpty(spec.key, group);
      throw new FogbankError<SandboxErrorCode>('ERR_PROVISION_FAILED', failed.reason);
    }
    let available = 0;
    for (const environment of group.provisioned.keys()) {
      if (
        environment.initialized &&
        environment.state !== 'Stopping' &&
        environment.state !== 'Stopped'
      ) {
        available++;
      }
    }
    this.#forgetIfEmpty(spec.key, group);
    return { available };
  }

  #group(key: string): KeyGroup {
    let group = this.#groups.get(key);
    if (group === undefined) {
      group = {
        all: new Set(),
        idle: [],
        provisioned: new Map(),
        target: 0,
        provisionSpec: undefined,
      };
      this.#groups.set(key, group);
    }
    return group;
  }

  #newEnvironment(group: KeyGroup, spec: EnvironmentSpec): ExecutionEnvironment {
    const blank = this.#blanks.take(spec);
    // The cold start that took a blank runtime is over when its environment first rests.
    let coldStartOver = blank === undefined;
    const refillOnce = (): void => {
      if (!coldStartOver) {
        coldStartOver = true;
        // After the invocation's response has been written, which the caller does next.
        setImmediate(() => {
          this.#blanks.refill();
        });
      }
    };
    const environment = new ExecutionEnvironment(spec, {
      ...(blank !== undefined ? { blank } : {}),
      executor: this.#executor,
      clock: this.#options.clock,
      idleTimeoutMs: this.#options.idleTimeoutMs,
      freezeGraceMs: this.#options.freezeGraceMs ?? 0,
      onIdle: (env) => {
        this.#onIdle(env);
        refillOnce();
      },
      onStopped: (env) => {
        this.#onStopped(env);
        refillOnce();
      },
    });
    group.all.add(environment);
    // Provisioned concurrency is reserved whatever the limit: the operator asked for it.
    this.#budget.reserve(environment, spec.memorySizeMb, true);
    return environment;
  }

  #startProvisioned(group: KeyGroup): void {
    if (group.provisionSpec === undefined) {
      return;
    }
    const environment = this.#newEnvironment(group, group.provisionSpec);
    group.provisioned.set(environment, environment.prewarm());
  }

  #forgetIfEmpty(key: string, group: KeyGroup): void {
    if (group.all.size === 0 && group.target === 0 && this.#groups.get(key) === group) {
      this.#groups.delete(key);
    }
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
    const blanksStopped = this.#blanks.stop();
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
    await Promise.all([...environments.map((e) => e.stop()), blanksStopped]);
    await this.#release();
  }

  #onIdle(environment: ExecutionEnvironment): void {
    if (this.#stopping !== undefined) {
      void environment.stop();
      return;
    }
    this.#idleSince.set(environment, this.#options.clock.now());
    this.#groups.get(environment.spec.key)?.idle.push(environment);
  }

  #onStopped(environment: ExecutionEnvironment): void {
    this.#idleSince.delete(environment);
    this.#budget.release(environment);
    const group = this.#groups.get(environment.spec.key);
    if (group === undefined) {
      return;
    }
    group.all.delete(environment);
    const index = group.idle.indexOf(environment);
    if (index !== -1) {
      group.idle.splice(index, 1);
    }
    // A provisioned environment that died after its init (timeout, crash, drain) is replaced;
    // one whose init failed is not (provision() reports the failure instead of retrying).
    if (
      group.provisioned.delete(environment) &&
      environment.initialized &&
      this.#stopping === undefined &&
      group.provisioned.size < group.target
    ) {
      this.#startProvisioned(group);
    }
    this.#forgetIfEmpty(environment.spec.key, group);
  }
}
