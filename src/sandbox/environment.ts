import { performance } from 'node:perf_hooks';
import type { Clock, TimerHandle } from '../core/clock.js';
import { FogbankError } from '../core/errors.js';
import { newHexId } from '../core/ids.js';
import type { Executor, Sandbox, SandboxErrorCode } from './executor.js';
import {
  answerVerdict,
  logStreamName,
  terminationVerdict,
  type Termination,
  type Verdict,
} from './invocation-verdict.js';
import { LogCollector } from './log-collector.js';
import type { RuntimeApiHooks, RuntimeOutcome } from './runtime-api/session.js';
import type { SandboxExit, SandboxProcess } from './sandbox-process.js';
import type { EnvironmentSpec, InvokeRequest, InvokeResult } from './types.js';

/**
 * Lifecycle of an execution environment (STYLE.md practice 6). Transitions are synchronous
 * and guarded; async work happens after the new state is set.
 * - Starting: sandbox being prepared and runtime initializing, its first invocation waiting
 *   (or none: a provisioned environment goes straight to Ready once initialized).
 * - Invoking: an invocation is with the runtime.
 * - Ready: idle and warm. Frozen: idle with every process stopped (nothing runs between
 *   invocations, https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtime-environment.html).
 * - Stopping → Stopped: killed and cleaned up (timeout, crash, init error, reaping, drain).
 */
export type EnvironmentState =
  'Starting' | 'Invoking' | 'Ready' | 'Frozen' | 'Stopping' | 'Stopped';

const TRANSITIONS: Readonly<Record<EnvironmentState, readonly EnvironmentState[]>> = {
  Starting: ['Invoking', 'Ready', 'Stopping'],
  Invoking: ['Ready', 'Stopping'],
  Ready: ['Invoking', 'Frozen', 'Stopping'],
  Frozen: ['Invoking', 'Stopping'],
  Stopping: ['Stopped'],
  Stopped: [],
};

/**
 * Lambda gives init 10 s and, when that is not enough, retries it within the invocation's
 * own timeout (https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtime-environment.html#runtimes-lifecycle-ib).
 * DIVERGENCE: here init gets both budgets in one go, without the restart.
 */
const INIT_TIMEOUT_MS = 10_000;

export interface EnvironmentOptions {
  readonly executor: Executor;
  readonly clock: Clock;
  readonly idleTimeoutMs: number;
  /**
   * How long an environment stays thawed after an invocation before it is frozen: an
   * invocation arriving within it skips the freezer's two writes (0: frozen at once).
   */
  readonly freezeGraceMs: number;
  /** The environment finished an invocation and can take another one. */
  readonly onIdle: (environment: ExecutionEnvironment) => void;
  /** The environment is gone: processes killed, cgroups and sockets removed. */
  readonly onStopped: (environment: ExecutionEnvironment) => void;
  /** A pre-booted blank runtime to specialize instead of starting a sandbox. */
  readonly blank?: Sandbox;
}

/** How a prewarm() ended: initialized, or why not. */
export type PrewarmOutcome =
  { readonly ok: true } | { readonly ok: false; readonly reason: string };

interface Invocation {
  readonly request: InvokeRequest;
  readonly resolve: (result: InvokeResult) => void;
  readonly reject: (error: unknown) => void;
  /** performance.now() when the event went to the runtime. */
  deliveredAt: number | undefined;
  deadline: TimerHandle | undefined;
  answered: boolean;
  initLogs: string;
  initDurationMs: number | undefined;
}

/** One sandboxed runtime serving one function version, one invocation at a time. */
export class ExecutionEnvironment {
  readonly id = newHexId();
  readonly spec: EnvironmentSpec;
  readonly logStreamName: string;
  /** Resolves once the environment is Stopped and everything it held is released. */
  readonly stopped: Promise<void>;
  readonly #options: EnvironmentOptions;
  readonly #logs = new LogCollector();
  readonly #hooks: RuntimeApiHooks;
  #state: EnvironmentState = 'Starting';
  #prepared: Promise<Sandbox | undefined> = Promise.resolve(undefined);
  #sandbox: Sandbox | undefined;
  #invocation: Invocation | undefined;
  #initTimer: TimerHandle | undefined;
  #idleTimer: TimerHandle | undefined;
  #retireWhenIdle = false;
  /** Idle past the freeze grace: nothing may run, so it is frozen once parked in /next. */
  #resting = false;
  #peakBytes = 0;
  /** performance.now() when init began: the spawn, or a blank runtime's specialization. */
  #initStartedAt: number | undefined;
  #markStopped: () => void = () => undefined;
  /** Kept for provisioned concurrency: never reaped by the idle timer. */
  #provisioned = false;
  #initialized = false;
  /** Settles a prewarm() once init is done or the environment is gone. */
  #settlePrewarm: ((outcome: PrewarmOutcome) => void) | undefined;

  constructor(spec: EnvironmentSpec, options: EnvironmentOptions) {
    this.spec = spec;
    this.#options = options;
    this.logStreamName = logStreamName(spec.functionVersion, this.id, options.clock.now());
    this.stopped = new Promise((resolve) => {
      this.#markStopped = resolve;
    });
    this.#hooks = {
      onInitDone: () => {
        this.#onInitDone();
      },
      onInitError: (errorType, payload) => {
        void this.#terminate({ kind: 'init-error', errorType, payload });
      },
      onParked: () => {
        if (this.#state === 'Ready' && this.#resting) {
          this.#freeze();
        }
      },
      onOutcome: (requestId, outcome) => {
        this.#onOutcome(requestId, outcome);
      },
    };
  }

  get state(): EnvironmentState {
    return this.#state;
  }

  /** Starting or Invoking: an invocation is in flight. */
  get busy(): boolean {
    return this.#state === 'Starting' || this.#state === 'Invoking';
  }

  /** Init finished (the runtime's first /next arrived). */
  get initialized(): boolean {
    return this.#initialized;
  }

  /** Kept for provisioned concurrency (exempt from idle reaping). */
  get provisioned(): boolean {
    return this.#provisioned;
  }

  /**
   * Provisioned concurrency: starts the sandbox ahead of traffic and resolves once the
   * runtime's first /next ended init (the environment is then Ready, never idle-reaped),
   * or with the reason it did not. The first invocation reports no init duration.
   */
  prewarm(): Promise<PrewarmOutcome> {
    if (this.#state !== 'Starting' || this.#invocation !== undefined || this.#settlePrewarm) {
      throw new FogbankError<SandboxErrorCode>(
        'ERR_INVALID_STATE',
        `Environment ${this.id} was already started`,
      );
    }
    this.#provisioned = true;
    const outcome = new Promise<PrewarmOutcome>((resolve) => {
      this.#settlePrewarm = resolve;
    });
    this.#prepared = this.#boot();
    return outcome;
  }

  /** Hands a provisioned environment back to on-demand use: idle reaping applies again. */
  unprovision(): void {
    if (!this.#provisioned) {
      return;
    }
    this.#provisioned = false;
    if ((this.#state === 'Ready' || this.#state === 'Frozen') && this.#resting) {
      this.#startIdleTimer();
    }
  }

  /** Cold start: prepares and starts the sandbox, then runs `request` once init is done. */
  start(request: InvokeRequest): Promise<InvokeResult> {
    if (this.#state !== 'Starting' || this.#invocation !== undefined) {
      throw new FogbankError<SandboxErrorCode>(
        'ERR_INVALID_STATE',
        `Environment ${this.id} was already started`,
      );
    }
    const result = this.#begin(request);
    this.#prepared = this.#boot();
    return result;
  }

  /** Warm invocation on a Ready or Frozen environment. */
  invoke(request: InvokeRequest): Promise<InvokeResult> {
    const wasFrozen = this.#state === 'Frozen';
    this.#transition('Invoking');
    this.#clearIdleTimer();
    this.#resting = false;
    const result = this.#begin(request);
    if (wasFrozen) {
      // The event is written to the socket at once; the runtime reads it when thawed.
      this.#sandbox?.process?.thaw();
    }
    this.#deliver();
    return result;
  }

  /** Stops now; an invocation in flight fails as if its runtime had been killed. */
  stop(): Promise<void> {
    void this.#terminate({ kind: 'stop' });
    return this.stopped;
  }

  /** Stops once the invocation in flight is answered, or now when idle. */
  retire(): void {
    if (this.busy) {
      this.#retireWhenIdle = true;
    } else {
      void this.stop();
    }
  }

  #transition(to: EnvironmentState): void {
    if (!TRANSITIONS[this.#state].includes(to)) {
      throw new FogbankError<SandboxErrorCode>(
        'ERR_INVALID_STATE',
        `Environment ${this.id} cannot go from ${this.#state} to ${to}`,
      );
    }
    this.#state = to;
  }

  #begin(request: InvokeRequest): Promise<InvokeResult> {
    return new Promise((resolve, reject) => {
      this.#invocation = {
        request,
        resolve,
        reject,
        deliveredAt: undefined,
        deadline: undefined,
        answered: false,
        initLogs: '',
        initDurationMs: undefined,
      };
    });
  }

  async #boot(): Promise<Sandbox | undefined> {
    const { executor, blank } = this.#options;
    if (blank !== undefined) {
      return this.#specialize(blank);
    }
    let sandbox: Sandbox;
    try {
      sandbox = await executor.prepare(this.spec, this.id, this.logStreamName, this.#hooks);
    } catch (error) {
      const entrypoint = error instanceof FogbankError && error.code === 'ERR_INVALID_ENTRYPOINT';
      void this.#terminate(
        entrypoint
          ? { kind: 'entrypoint', message: error.message }
          : { kind: 'prepare-failed', error },
      );
      return undefined;
    }
    this.#sandbox = sandbox;
    if (this.#state !== 'Starting') {
      return sandbox;
    }
    const child = executor.start(sandbox);
    this.#initStartedAt = child.spawnedAt;
    this.#watch(child);
    return sandbox;
  }

  /**
   * Cold start from a blank runtime: it becomes this environment. Its init starts once it has
   * its function (code mounted, variables sent): mounting is the platform's work, as is
   * provisioning a sandbox for Lambda, and Init Duration is the function's own.
   */
  async #specialize(blank: Sandbox): Promise<Sandbox> {
    this.#sandbox = blank;
    if (blank.process !== undefined) {
      this.#watch(blank.process);
    }
    try {
      await this.#options.executor.specialize(blank, this.spec, this.logStreamName, this.#hooks);
      this.#initStartedAt = performance.now();
    } catch (error) {
      void this.#terminate({ kind: 'prepare-failed', error });
    }
    return blank;
  }

  /** Collects the runtime's output, notices its exit, and bounds its init. */
  #watch(child: SandboxProcess): void {
    this.#logs.attach(child.stdout);
    this.#logs.attach(child.stderr);
    void child.exited.then((exit) => this.#terminate({ kind: 'exit', exit }));
    this.#initTimer = this.#options.clock.setTimeout(
      () => {
        void this.#terminate({ kind: 'init-timeout' });
      },
      INIT_TIMEOUT_MS + this.spec.timeoutSeconds * 1000,
    );
  }

  #onInitDone(): void {
    const invocation = this.#invocation;
    const initStartedAt = this.#initStartedAt;
    const settle = this.#settlePrewarm;
    if (this.#state === 'Starting') {
      this.#initialized = true;
    }
    if (this.#state === 'Starting' && invocation === undefined && settle !== undefined) {
      // Init ran ahead of traffic: its output is not part of any invocation.
      this.#clearInitTimer();
      this.#logs.take();
      this.#settlePrewarm = undefined;
      this.#transition('Ready');
      settle({ ok: true });
      if (this.#retireWhenIdle) {
        // Drained while it initialized: it stops now (the pool replaces it if still wanted).
        void this.stop();
        return;
      }
      this.#rest();
      this.#options.onIdle(this);
      return;
    }
    if (this.#state !== 'Starting' || invocation === undefined || initStartedAt === undefined) {
      return;
    }
    this.#clearInitTimer();
    invocation.initDurationMs = performance.now() - initStartedAt;
    invocation.initLogs = this.#logs.take();
    this.#transition('Invoking');
    this.#deliver();
  }

  #deliver(): void {
    const invocation = this.#invocation;
    const sandbox = this.#sandbox;
    if (invocation === undefined || sandbox === undefined) {
      return;
    }
    const { clock, executor } = this.#options;
    const timeoutMs = this.spec.timeoutSeconds * 1000;
    invocation.deliveredAt = performance.now();
    invocation.deadline = clock.setTimeout(() => {
      void this.#terminate({ kind: 'timeout' });
    }, timeoutMs);
    executor.invoke(sandbox, invocation.request, clock.now() + timeoutMs);
  }

  #onOutcome(requestId: string, outcome: RuntimeOutcome): void {
    const invocation = this.#invocation;
    const child = this.#sandbox?.process;
    if (invocation?.request.requestId !== requestId || invocation.answered || child === undefined) {
      return;
    }
    invocation.answered = true;
    if (invocation.deadline !== undefined) {
      this.#options.clock.clearTimeout(invocation.deadline);
    }
    const durationMs = performance.now() - (invocation.deliveredAt ?? performance.now());
    const peak = child.peakMemoryBytes();
    // Lines the runtime wrote just before answering may still be in the pipe: one more turn
    // of the event loop reads them, so they belong to this invocation.
    setImmediate(() => {
      const functionLogs = this.#logs.take();
      void peak.then((bytes) => {
        this.#finish(invocation, outcome, durationMs, functionLogs, bytes);
      });
    });
  }

  #finish(
    invocation: Invocation,
    outcome: RuntimeOutcome,
    durationMs: number,
    functionLogs: string,
    peakBytes: number | undefined,
  ): void {
    this.#invocation = undefined;
    const result = this.#result(invocation, {
      ...answerVerdict(outcome),
      functionLogs,
      durationMs,
      peakBytes,
    });
    if (this.#state === 'Invoking') {
      if (this.#retireWhenIdle) {
        void this.stop();
      } else {
        this.#transition('Ready');
        this.#rest();
        this.#options.onIdle(this);
      }
    }
    invocation.resolve(result);
  }

  /** The invocation is over: frozen after the grace, then reaped after idleTimeoutMs. */
  #rest(): void {
    const grace = this.#options.freezeGraceMs;
    if (grace <= 0) {
      this.#settle();
      return;
    }
    this.#clearIdleTimer();
    this.#idleTimer = this.#options.clock.setTimeout(() => {
      this.#idleTimer = undefined;
      this.#settle();
    }, grace);
  }

  /** The grace is over: nothing runs any more until the next invocation. */
  #settle(): void {
    this.#resting = true;
    if (this.#state === 'Ready' && this.#sandbox?.runtimeApi.parked === true) {
      this.#freeze();
    }
    if (!this.#provisioned) {
      this.#startIdleTimer();
    }
  }

  #freeze(): void {
    this.#transition('Frozen');
    this.#sandbox?.process?.freeze();
  }

  /** Kills the sandbox, settles what is still owed, releases everything. Runs once. */
  async #terminate(reason: Termination): Promise<void> {
    if (this.#state === 'Stopping' || this.#state === 'Stopped') {
      return;
    }
    this.#transition('Stopping');
    this.#clearInitTimer();
    this.#clearIdleTimer();
    const invocation = this.#invocation?.answered === false ? this.#invocation : undefined;
    if (invocation?.deadline !== undefined) {
      this.#options.clock.clearTimeout(invocation.deadline);
    }
    const sandbox = await this.#prepared;
    const child = sandbox?.process;
    let oomKills = 0;
    let peakBytes: number | undefined;
    if (sandbox !== undefined && child !== undefined) {
      sandbox.runtimeApi.abandon();
      [peakBytes] = await Promise.all([child.peakMemoryBytes(), child.kill()]);
      this.#logs.flushPartials();
      oomKills = (await sandbox.cgroup?.oomKills()) ?? 0;
      peakBytes = (await child.peakMemoryBytes()) ?? peakBytes;
    }
    if (invocation !== undefined) {
      this.#invocation = undefined;
      if (reason.kind === 'prepare-failed') {
        invocation.reject(reason.error);
      } else {
        invocation.resolve(this.#failure(invocation, reason, child?.exit, oomKills, peakBytes));
      }
    }
    const settle = this.#settlePrewarm;
    if (settle !== undefined) {
      this.#settlePrewarm = undefined;
      settle({ ok: false, reason: prewarmFailure(reason, child?.exit, oomKills) });
    }
    if (sandbox !== undefined) {
      await this.#options.executor.stop(sandbox);
    }
    this.#transition('Stopped');
    this.#options.onStopped(this);
    this.#markStopped();
  }

  #failure(
    invocation: Invocation,
    reason: Exclude<Termination, { kind: 'prepare-failed' }>,
    exit: SandboxExit | undefined,
    oomKills: number,
    peakBytes: number | undefined,
  ): InvokeResult {
    const { requestId } = invocation.request;
    const inInit = invocation.deliveredAt === undefined;
    const logs = this.#logs.take();
    if (inInit) {
      invocation.initLogs = logs;
      invocation.initDurationMs = performance.now() - (this.#initStartedAt ?? performance.now());
    }
    const failure = terminationVerdict(requestId, reason, exit, oomKills, this.spec.timeoutSeconds);
    return this.#result(invocation, {
      ...failure,
      functionLogs: inInit ? '' : logs,
      durationMs:
        invocation.deliveredAt === undefined ? 0 : performance.now() - invocation.deliveredAt,
      peakBytes,
    });
  }

  #result(
    invocation: Invocation,
    parts: Verdict & { functionLogs: string; durationMs: number; peakBytes: number | undefined },
  ): InvokeResult {
    this.#peakBytes = Math.max(this.#peakBytes, parts.peakBytes ?? 0);
    return {
      status: parts.status,
      payload: parts.payload,
      ...(parts.errorType !== undefined ? { errorType: parts.errorType } : {}),
      initLogs: invocation.initLogs,
      functionLogs: parts.functionLogs,
      durationMs: parts.durationMs,
      ...(invocation.initDurationMs !== undefined
        ? { initDurationMs: invocation.initDurationMs }
        : {}),
      maxMemoryUsedMb: Math.round(this.#peakBytes / (1024 * 1024)),
      environmentId: this.id,
      logStreamName: this.logStreamName,
    };
  }

  #clearInitTimer(): void {
    if (this.#initTimer !== undefined) {
      this.#options.clock.clearTimeout(this.#initTimer);
      this.#initTimer = undefined;
    }
  }

  #startIdleTimer(): void {
    this.#clearIdleTimer();
    this.#idleTimer = this.#options.clock.setTimeout(() => {
      void this.stop();
    }, this.#options.idleTimeoutMs);
  }

  #clearIdleTimer(): void {
    if (this.#idleTimer !== undefined) {
      this.#options.clock.clearTimeout(this.#idleTimer);
      this.#idleTimer = undefined;
    }
  }
}

/** Why an environment started ahead of traffic did not finish init. */
function prewarmFailure(
  reason: Termination,
  exit: SandboxExit | undefined,
  oomKills: number,
): string {
  switch (reason.kind) {
    case 'init-error':
      return `Init failed: ${reason.errorType}`;
    case 'init-timeout':
    case 'timeout':
      return 'Init timed out';
    case 'entrypoint':
      return reason.message;
    case 'prepare-failed':
      return `The environment could not be prepared: ${String(reason.error)}`;
    case 'exit':
      if (oomKills > 0) {
        return 'Init failed: Runtime.OutOfMemory';
      }
      return `Init failed: Runtime.ExitError (${
        exit?.signal != null ? `signal ${exit.signal}` : `exit status ${String(exit?.code ?? null)}`
      })`;
    case 'stop':
      return 'The environment was stopped before init finished';
  }
}
