import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { Readable, Writable } from 'node:stream';
import { setTimeout as delay } from 'node:timers/promises';
import type { EnvironmentCgroup } from './cgroup.js';
import { type ExitStatus, unwrapSandboxExit } from './exit-status.js';
import { descendantPids, peakResidentBytes } from './process-tree.js';

/** How to start a runtime: the command, its variables, and where it runs. */
export interface LaunchPlan {
  readonly file: string;
  readonly args: readonly string[];
  /** The process's complete environment (nothing is inherited from the server). */
  readonly env: Readonly<Record<string, string>>;
  readonly cwd: string;
  /** Bytes for the process to read on fd 3 (bubblewrap's `--args 3`). */
  readonly fd3?: Buffer;
  /** bubblewrap reports a sandboxed process killed by signal N as exit code 128+N. */
  readonly foldsSignals: boolean;
  /** The runtime runs in a session of its own, out of reach of a process-group signal. */
  readonly ownSession: boolean;
  /**
   * bubblewrap's `--info-fd 4 --block-fd 5`: the sandbox reports its pid on fd 4, sets up its
   * namespaces and mounts, then waits on fd 5 until the server has moved it into its cgroups.
   */
  readonly joinsCgroupsOnBlockFd?: boolean;
}

/** How the main process ended, or why it could not start. */
export interface SandboxExit extends ExitStatus {
  readonly spawnError?: NodeJS.ErrnoException;
}

/** How long an exited sandbox's stdout/stderr may stay open (held by a stray descendant). */
const CLOSE_GRACE_MS = 1000;

/**
 * The running process tree of one environment: spawned in its own process group, in its
 * cgroups before it execs, with stdout and stderr piped to the server.
 */
export class SandboxProcess {
  /** performance.now() at spawn. */
  readonly spawnedAt: number;
  readonly stdout: Readable;
  readonly stderr: Readable;
  /** Resolves when the main process has exited. */
  readonly exited: Promise<SandboxExit>;
  readonly #pid: number | undefined;
  readonly #cgroup: EnvironmentCgroup | undefined;
  readonly #ownSession: boolean;
  readonly #closed: Promise<void>;
  #exit: SandboxExit | undefined;
  #stoppedPids: number[] = [];
  #signalOps: Promise<unknown> = Promise.resolve();

  constructor(plan: LaunchPlan, cgroup: EnvironmentCgroup | undefined) {
    this.#cgroup = cgroup;
    this.#ownSession = plan.ownSession;
    let file = plan.file;
    let args = plan.args;
    const handshake = plan.joinsCgroupsOnBlockFd === true;
    if (cgroup !== undefined && !handshake) {
      // The shell joins the cgroups and then execs the sandbox, so not a single instruction
      // of the runtime runs outside its limits (no race with a later "move").
      const joins = cgroup.procsFiles.map((f) => `echo $$ > ${shellQuote(f)}`).join(' && ');
      args = ['-c', `${joins} && exec "$@"`, 'sh', file, ...args];
      file = '/bin/sh';
    }
    const child = spawn(file, args, {
      cwd: plan.cwd,
      env: plan.env,
      detached: true,
      stdio: [
        'ignore',
        'pipe',
        'pipe',
        plan.fd3 !== undefined ? 'pipe' : 'ignore',
        ...(handshake ? (['pipe', 'pipe'] as const) : []),
      ],
    });
    this.spawnedAt = performance.now();
    this.#pid = child.pid;
    // Both are pipes (stdio above), so never null.
    this.stdout = child.stdout as Readable;
    this.stderr = child.stderr as Readable;
    const fd3 = child.stdio[3];
    if (plan.fd3 !== undefined && fd3 !== null && fd3 !== undefined && 'end' in fd3) {
      fd3.on('error', () => undefined);
      fd3.end(plan.fd3);
    }
    const stdio: readonly unknown[] = child.stdio;
    const [info, block] = [stdio[4], stdio[5]];
    if (handshake && info instanceof Readable && block instanceof Writable) {
      void this.#joinThenRelease(info, block);
    }
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        const status = { code, signal };
        this.#exit = plan.foldsSignals ? unwrapSandboxExit(status) : status;
        resolve(this.#exit);
      });
      child.once('error', (err: NodeJS.ErrnoException) => {
        if (child.pid === undefined) {
          this.#exit = { code: null, signal: null, spawnError: err };
          resolve(this.#exit);
        }
      });
    });
    this.#closed = new Promise((resolve) => {
      child.once('close', () => {
        resolve();
      });
      child.once('error', () => {
        if (child.pid === undefined) {
          resolve();
        }
      });
    });
  }

  get pid(): number | undefined {
    return this.#pid;
  }

  /** The exit status, once the main process has exited. */
  get exit(): SandboxExit | undefined {
    return this.#exit;
  }

  /**
   * Stops every process of the environment until `thaw`: the cgroup freezer where there is
   * one, else SIGSTOP. Returns at once; operations are applied in order.
   */
  freeze(): void {
    if (this.#cgroup?.canFreeze === true) {
      this.#cgroup.freeze();
      return;
    }
    this.#signalOps = this.#signalOps.then(async () => {
      this.#signalGroup('SIGSTOP');
      if (this.#ownSession && this.#pid !== undefined) {
        this.#stoppedPids = await descendantPids(this.#pid);
        for (const pid of this.#stoppedPids) {
          signal(pid, 'SIGSTOP');
        }
      }
    });
  }

  thaw(): void {
    if (this.#cgroup?.canFreeze === true) {
      this.#cgroup.thaw();
      return;
    }
    this.#signalOps = this.#signalOps.then(() => {
      for (const pid of this.#stoppedPids) {
        signal(pid, 'SIGCONT');
      }
      this.#signalGroup('SIGCONT');
    });
  }

  /** Peak memory of the environment: its cgroup's, else the largest VmHWM of its processes. */
  async peakMemoryBytes(): Promise<number | undefined> {
    if (this.#cgroup?.measuresMemory === true) {
      return this.#cgroup.peakMemoryBytes();
    }
    if (this.#pid === undefined || this.#exit !== undefined) {
      return undefined;
    }
    const pids = this.#ownSession ? await descendantPids(this.#pid) : [this.#pid];
    const peaks = await Promise.all(pids.map(peakResidentBytes));
    return Math.max(0, ...peaks.map((p) => p ?? 0));
  }

  /**
   * SIGKILLs the whole environment and waits until the main process is gone and its output
   * is closed. Frozen processes are thawed so that they can die.
   */
  async kill(): Promise<void> {
    this.#signalGroup('SIGKILL');
    if (this.#cgroup !== undefined) {
      await this.#cgroup.killAll();
      this.#cgroup.thaw();
      await this.#cgroup.settled();
    }
    await this.#signalOps;
    for (const pid of this.#stoppedPids) {
      signal(pid, 'SIGKILL');
    }
    await this.exited;
    await this.closed();
  }

  /** Waits for stdout and stderr to close, at most CLOSE_GRACE_MS after exit. */
  async closed(): Promise<void> {
    await this.exited;
    const grace = new AbortController();
    await Promise.race([
      this.#closed,
      delay(CLOSE_GRACE_MS, undefined, { signal: grace.signal }).catch(() => undefined),
    ]);
    grace.abort();
    this.stdout.destroy();
    this.stderr.destroy();
  }

  /**
   * Joins the sandbox to its cgroups while bubblewrap sets up its mounts (the first move into
   * a cgroup waits for an RCU grace period, ~5–15 ms here), then lets it run its command. On
   * failure it is killed unreleased: the sandbox's first process dies with bubblewrap's, so
   * nothing of the runtime ever runs outside its limits.
   */
  async #joinThenRelease(info: Readable, block: Writable): Promise<void> {
    block.on('error', () => undefined);
    try {
      const pid = await sandboxPid(info);
      await this.#cgroup?.join(pid);
      block.end('1');
    } catch {
      this.#signalGroup('SIGKILL');
      void this.exited.then(() => block.destroy());
    }
  }

  #signalGroup(name: NodeJS.Signals): void {
    if (this.#pid !== undefined) {
      // Negative pid: the process group the sandbox was started in (detached: true).
      signal(-this.#pid, name);
    }
  }
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // The process (group) is already gone.
  }
}

/**
 * The host pid of bubblewrap's sandboxed process, from its `--info-fd` JSON. The rest of the
 * JSON is read too: bubblewrap writes it in several pieces and dies of SIGPIPE on a closed fd.
 */
function sandboxPid(info: Readable): Promise<number> {
  return new Promise((resolve, reject) => {
    let text = '';
    info.setEncoding('utf8');
    info.on('data', (chunk: string) => {
      text += chunk;
      const pid = /"child-pid":\s*(\d+)/.exec(text)?.[1];
      if (pid !== undefined) {
        resolve(Number(pid));
      }
    });
    info.on('error', reject);
    info.on('close', () => {
      reject(new Error('bubblewrap exited before its sandbox started'));
    });
  });
}

function shellQuote(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}
