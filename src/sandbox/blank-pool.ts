import type { Clock, TimerHandle } from '../core/clock.js';
import { newHexId } from '../core/ids.js';
import type { Executor, Sandbox } from './executor.js';
import type { MemoryBudget } from './memory-budget.js';
import type { RuntimeApiHooks } from './runtime-api/session.js';
import { resolveRuntime } from './runtime-resolver.js';
import type { EnvironmentSpec } from './types.js';

/** How many blank runtimes are kept ready (FOGBANK_PREBOOT_* in src/config/config.ts). */
export interface PrebootSettings {
  /** Most blank runtimes kept per kind; 0 turns pre-booting off. */
  readonly max: number;
  /** Fewest kept per kind while the kind is in use. */
  readonly min: number;
  /**
   * The demand for a kind is its cold starts in the last `windowMs`; a kind without a cold
   * start for `idleMs` keeps none.
   */
  readonly windowMs: number;
  readonly idleMs: number;
}

/** A blank runtime that has not reached its specialization wait by then is given up. */
const READY_TIMEOUT_MS = 30_000;
/** Blank runtimes booting at once, so refilling never takes both cores from invocations. */
const MAX_BOOTING = 2;

/**
 * Interpreter settings read only when a process starts: a function that sets one of these
 * cannot become a blank runtime started without it.
 */
const START_UP_VARIABLE = /^(NODE_OPTIONS|NODE_EXTRA_CA_CERTS|UV_|PYTHON(?!PATH$)|LD_|LANG$|LC_)/;

/**
 * What a blank runtime is interchangeable on: runtime, memory (the Node heap limits and the
 * cgroup), /tmp size (a tmpfs sized at start) and the API endpoint its relays serve.
 * Undefined when the function cannot start from a blank runtime.
 */
export function blankKind(spec: EnvironmentSpec): string | undefined {
  const family = resolveRuntime(spec.runtime)?.family;
  if (family === undefined || family === 'provided') {
    return undefined;
  }
  if (Object.keys(spec.variables).some((name) => START_UP_VARIABLE.test(name))) {
    return undefined;
  }
  const { apiEndpoint } = spec;
  return `${spec.runtime}|${String(spec.memorySizeMb)}|${String(spec.ephemeralStorageMb)}|${apiEndpoint.host}:${String(apiEndpoint.port)}`;
}

interface Blank {
  /** Resolves with the prepared sandbox (undefined if preparing failed). */
  prepared: Promise<Sandbox | undefined>;
  sandbox: Sandbox | undefined;
  readyTimer: TimerHandle | undefined;
  gone: boolean;
}

interface Kind {
  /** The spec blank runtimes of this kind are started with (nothing of it reaches them). */
  template: EnvironmentSpec;
  readonly blanks: Set<Blank>;
  /** Waiting for their specialization, the longest waiting first. */
  readonly ready: Blank[];
  /** The demand: times of recent cold starts. */
  coldStarts: number[];
  lastColdStart: number;
  /** A blank failed to boot: no refill before this time. */
  backoffUntil: number;
}

/**
 * Pre-booted blank runtimes (issue 3): per kind (blankKind), sandboxes already started —
 * namespace or process, cgroups joined, interpreter running, Runtime API connection open —
 * wait for a function. A cold start takes one and specializes it (Executor.specialize)
 * instead of starting a sandbox. The pool refills in the background and sizes itself to the
 * recent cold-start rate, within [min, max] per kind in use.
 */
export class BlankRuntimePool {
  readonly #executor: Executor;
  readonly #clock: Clock;
  readonly #settings: PrebootSettings;
  readonly #budget: MemoryBudget;
  readonly #onWarning: (message: string) => void;
  readonly #kinds = new Map<string, Kind>();
  #booting = 0;
  #timer: TimerHandle | undefined;
  #stopped = false;

  constructor(
    executor: Executor,
    clock: Clock,
    settings: PrebootSettings,
    budget: MemoryBudget,
    onWarning: (message: string) => void,
  ) {
    this.#executor = executor;
    this.#clock = clock;
    this.#settings = settings;
    this.#budget = budget;
    this.#onWarning = onWarning;
  }

  get enabled(): boolean {
    return this.#settings.max > 0 && this.#executor.preboots;
  }

  /** Blank runtimes ready now (all kinds, or `spec`'s). */
  readyCount(spec?: EnvironmentSpec): number {
    if (spec !== undefined) {
      const kind = blankKind(spec);
      return kind === undefined ? 0 : (this.#kinds.get(kind)?.ready.length ?? 0);
    }
    let ready = 0;
    for (const kind of this.#kinds.values()) {
      ready += kind.ready.length;
    }
    return ready;
  }

  /**
   * A cold start of `spec`: counts as demand, and returns a ready blank runtime of its kind
   * (now the caller's, to specialize) or undefined.
   */
  take(spec: EnvironmentSpec): Sandbox | undefined {
    const key = this.enabled && !this.#stopped ? blankKind(spec) : undefined;
    if (key === undefined) {
      return undefined;
    }
    const now = this.#clock.now();
    let kind = this.#kinds.get(key);
    if (kind === undefined) {
      kind = {
        template: spec,
        blanks: new Set(),
        ready: [],
        coldStarts: [],
        lastColdStart: now,
        backoffUntil: 0,
      };
      this.#kinds.set(key, kind);
    }
    kind.template = spec;
    kind.coldStarts.push(now);
    kind.lastColdStart = now;
    const blank = kind.ready.shift();
    if (blank === undefined) {
      this.#refill();
      return undefined;
    }
    // Booting its replacement now would take CPU (a node start, ~40 ms on one core) and the
    // server's event loop (spawn) from this very cold start: the caller calls refill() when
    // the cold start is over.
    this.#forget(kind, blank);
    return blank.sandbox;
  }

  /** Boots the blank runtimes the pool lacks (after a cold start that took one is over). */
  refill(): void {
    this.#refill();
  }

  /** Stops one ready blank runtime to give its memory back; false when there is none. */
  evictOne(): boolean {
    for (const kind of this.#kinds.values()) {
      const blank = kind.ready.pop();
      if (blank !== undefined) {
        void this.#discard(kind, blank);
        return true;
      }
    }
    return false;
  }

  /** Stops every blank runtime and stops refilling. */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer !== undefined) {
      this.#clock.clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    const stopping: Promise<void>[] = [];
    for (const kind of this.#kinds.values()) {
      for (const blank of [...kind.blanks]) {
        stopping.push(this.#discard(kind, blank));
      }
    }
    await Promise.all(stopping);
  }

  #target(kind: Kind, now: number): number {
    if (now - kind.lastColdStart > this.#settings.idleMs) {
      return 0;
    }
    const since = now - this.#settings.windowMs;
    kind.coldStarts = kind.coldStarts.filter((t) => t > since);
    return Math.min(this.#settings.max, Math.max(this.#settings.min, kind.coldStarts.length));
  }

  /** Boots what each kind lacks and stops what it has beyond its target. */
  #refill(): void {
    if (this.#stopped) {
      return;
    }
    const now = this.#clock.now();
    for (const [key, kind] of this.#kinds) {
      const target = this.#target(kind, now);
      while (kind.ready.length > target) {
        const extra = kind.ready.shift();
        if (extra !== undefined) {
          void this.#discard(kind, extra);
        }
      }
      while (kind.blanks.size < target && this.#booting < MAX_BOOTING && now >= kind.backoffUntil) {
        if (!this.#boot(kind)) {
          break;
        }
      }
      if (target === 0 && kind.blanks.size === 0) {
        this.#kinds.delete(key);
      }
    }
    this.#schedule();
  }

  /** Re-evaluates the targets while any kind is tracked, so unused blank runtimes go. */
  #schedule(): void {
    if (this.#timer !== undefined || this.#kinds.size === 0 || this.#stopped) {
      return;
    }
    this.#timer = this.#clock.setTimeout(() => {
      this.#timer = undefined;
      this.#refill();
    }, this.#settings.windowMs);
  }

  #boot(kind: Kind): boolean {
    const blank: Blank = {
      prepared: Promise.resolve(undefined),
      sandbox: undefined,
      readyTimer: undefined,
      gone: false,
    };
    if (!this.#budget.reserve(blank, kind.template.memorySizeMb)) {
      return false;
    }
    kind.blanks.add(blank);
    this.#booting++;
    let booted = false;
    const bootEnded = (): void => {
      if (!booted) {
        booted = true;
        this.#booting--;
      }
    };
    const hooks: RuntimeApiHooks = {
      onBlankReady: () => {
        bootEnded();
        if (blank.readyTimer !== undefined) {
          this.#clock.clearTimeout(blank.readyTimer);
          blank.readyTimer = undefined;
        }
        if (!blank.gone) {
          kind.ready.push(blank);
        }
        this.#refill();
      },
      onInitError: () => {
        void this.#discard(kind, blank);
      },
      onInitDone: () => undefined,
      onParked: () => undefined,
      onOutcome: () => undefined,
    };
    const failed = (reason: string): void => {
      bootEnded();
      kind.backoffUntil = this.#clock.now() + this.#settings.windowMs;
      this.#onWarning(`a blank ${kind.template.runtime} runtime did not start: ${reason}`);
      void this.#discard(kind, blank);
    };
    blank.prepared = this.#executor.prepareBlank(kind.template, newHexId(), hooks).then(
      (sandbox) => {
        blank.sandbox = sandbox;
        if (blank.gone) {
          // Discarded while it was being prepared: #discard stops it.
          bootEnded();
          return sandbox;
        }
        const child = this.#executor.start(sandbox);
        void child.exited.then((exit) => {
          if (blank.gone) {
            bootEnded();
          } else if (!booted) {
            failed(`exit status ${String(exit.code ?? exit.signal)}`);
          } else if (kind.blanks.has(blank)) {
            void this.#discard(kind, blank);
          }
        });
        blank.readyTimer = this.#clock.setTimeout(() => {
          blank.readyTimer = undefined;
          failed('it did not ask for a function in time');
        }, READY_TIMEOUT_MS);
        return sandbox;
      },
      (err: unknown) => {
        failed(String(err));
        return undefined;
      },
    );
    return true;
  }

  /** Hands `blank` out: no longer the pool's, nor its memory. */
  #forget(kind: Kind, blank: Blank): void {
    blank.gone = true;
    kind.blanks.delete(blank);
    this.#budget.release(blank);
  }

  async #discard(kind: Kind, blank: Blank): Promise<void> {
    if (blank.gone) {
      return;
    }
    this.#forget(kind, blank);
    const index = kind.ready.indexOf(blank);
    if (index !== -1) {
      kind.ready.splice(index, 1);
    }
    if (blank.readyTimer !== undefined) {
      this.#clock.clearTimeout(blank.readyTimer);
      blank.readyTimer = undefined;
    }
    const sandbox = await blank.prepared;
    if (sandbox !== undefined) {
      await this.#executor.stop(sandbox);
    }
  }
}
