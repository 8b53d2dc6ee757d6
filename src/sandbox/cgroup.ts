import { createHash } from 'node:crypto';
import { readSync } from 'node:fs';
import { access, mkdir, open, readFile, readdir, rmdir, writeFile } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';

export type CgroupVersion = 'v1' | 'v2' | 'none';
export type CgroupController = 'memory' | 'freezer' | 'pids' | 'cpu';
export const CGROUP_CONTROLLERS: readonly CgroupController[] = ['memory', 'freezer', 'pids', 'cpu'];

/** Name of Fogbank's parent group under each hierarchy it uses. */
const PARENT = 'fogbank';

/**
 * Fogbank's place in this machine's cgroup hierarchies: for each usable controller, the
 * directory of the `fogbank` parent group (one directory for every controller under v2).
 */
export interface CgroupHierarchy {
  readonly version: CgroupVersion;
  readonly parents: ReadonlyMap<CgroupController, string>;
}

export const NO_CGROUPS: CgroupHierarchy = { version: 'none', parents: new Map() };

/**
 * Finds the mounted cgroup hierarchies and creates Fogbank's parent group in each one it can
 * write to. v1 controllers win over a hybrid machine's controller-less v2 mount.
 */
export async function detectCgroupHierarchy(): Promise<CgroupHierarchy> {
  let mounts: string;
  try {
    mounts = await readFile('/proc/self/mounts', 'utf8');
  } catch {
    return NO_CGROUPS;
  }
  const v1 = new Map<CgroupController, string>();
  let v2Mount: string | undefined;
  for (const line of mounts.split('\n')) {
    const [, mountPoint, type, options] = line.split(' ');
    if (mountPoint === undefined || options === undefined) {
      continue;
    }
    if (type === 'cgroup') {
      const names = options.split(',');
      for (const controller of CGROUP_CONTROLLERS) {
        if (names.includes(controller) && !v1.has(controller)) {
          v1.set(controller, mountPoint);
        }
      }
    } else if (type === 'cgroup2') {
      v2Mount ??= mountPoint;
    }
  }
  if (v1.size > 0) {
    const parents = new Map<CgroupController, string>();
    for (const [controller, mountPoint] of v1) {
      const parent = join(mountPoint, PARENT);
      if (await makeWritableDir(parent)) {
        parents.set(controller, parent);
      }
    }
    return parents.size > 0 ? { version: 'v1', parents } : NO_CGROUPS;
  }
  if (v2Mount !== undefined) {
    return detectV2(v2Mount);
  }
  return NO_CGROUPS;
}

async function detectV2(mountPoint: string): Promise<CgroupHierarchy> {
  const parent = join(mountPoint, PARENT);
  // Controllers must be enabled on every level above a group that uses them; the root
  // group is exempt from the "no internal processes" rule, so the parent hangs off it.
  await enableV2Controllers(mountPoint);
  if (!(await makeWritableDir(parent))) {
    return NO_CGROUPS;
  }
  const enabled = await enableV2Controllers(parent);
  const parents = new Map<CgroupController, string>();
  for (const controller of ['memory', 'pids', 'cpu'] as const) {
    if (enabled.includes(controller)) {
      parents.set(controller, parent);
    }
  }
  if (await exists(join(parent, 'cgroup.freeze'))) {
    parents.set('freezer', parent);
  }
  return { version: 'v2', parents };
}

/** Enables memory, pids and cpu for the children of `dir`; returns what is enabled. */
async function enableV2Controllers(dir: string): Promise<string[]> {
  for (const controller of ['memory', 'pids', 'cpu']) {
    try {
      await writeFile(join(dir, 'cgroup.subtree_control'), `+${controller}`);
    } catch {
      // Not available or not delegated to us: that controller stays unused.
    }
  }
  try {
    return (await readFile(join(dir, 'cgroup.subtree_control'), 'utf8')).trim().split(/\s+/);
  } catch {
    return [];
  }
}

async function makeWritableDir(dir: string): Promise<boolean> {
  try {
    await mkdir(dir, { recursive: true });
    await access(join(dir, 'cgroup.procs'), 2 /* W_OK */);
    return true;
  } catch {
    return false;
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * The group of one server's environments under each parent: one server's cleanup must never
 * touch another server's environments on the same machine, so it is named after the run
 * directory.
 */
export function serverGroupDirs(
  hierarchy: CgroupHierarchy,
  runDir: string,
): Map<CgroupController, string> {
  const tag = createHash('sha256').update(resolve(runDir)).digest('hex').slice(0, 16);
  const dirs = new Map<CgroupController, string>();
  for (const [controller, parent] of hierarchy.parents) {
    dirs.set(controller, join(parent, tag));
  }
  return dirs;
}

/** Creates the server's group (and under v2 enables the controllers for its children). */
export async function createServerGroup(
  hierarchy: CgroupHierarchy,
  groupDirs: ReadonlyMap<CgroupController, string>,
): Promise<void> {
  for (const dir of new Set(groupDirs.values())) {
    await mkdir(dir, { recursive: true });
    if (hierarchy.version === 'v2') {
      await enableV2Controllers(dir);
    }
  }
}

/** Limits of one environment. */
export interface CgroupLimits {
  readonly memoryMb: number;
  /** Lambda allows 1024 processes and threads per environment. */
  readonly pidsMax: number;
}

/**
 * Lambda gives a function CPU in proportion to its memory: 1,769 MB is one full vCPU.
 * https://docs.aws.amazon.com/lambda/latest/dg/configuration-memory.html
 * A share (not a quota) keeps that ratio under contention without slowing a cold start
 * when the machine is idle (a quota slowed Node's start from 28 to 40 ms, DESIGN.md).
 */
const MB_PER_VCPU = 1769;

/**
 * The cgroups of one environment: its memory limit, pids limit, CPU share and freezer.
 * The runtime joins them before it execs (see `procsFiles`).
 */
export class EnvironmentCgroup {
  readonly version: 'v1' | 'v2';
  /** Every directory created for this environment. */
  readonly dirs: readonly string[];
  /** Write the pid here (each file) to put a process in this environment's groups. */
  readonly procsFiles: readonly string[];
  readonly #memoryDir: string | undefined;
  readonly #freezeFile: FileHandle | undefined;
  readonly #peakFile: FileHandle | undefined;
  readonly #peakBuffer = Buffer.alloc(32);
  #freezerOps: Promise<unknown> = Promise.resolve();

  private constructor(
    version: 'v1' | 'v2',
    dirs: readonly string[],
    memoryDir: string | undefined,
    freezeFile: FileHandle | undefined,
    peakFile: FileHandle | undefined,
  ) {
    this.version = version;
    this.dirs = dirs;
    this.procsFiles = dirs.map((d) => join(d, 'cgroup.procs'));
    this.#memoryDir = memoryDir;
    this.#freezeFile = freezeFile;
    this.#peakFile = peakFile;
  }

  /** Moves a running process (and the children it forks from now on) into every group. */
  async join(pid: number): Promise<void> {
    for (const file of this.procsFiles) {
      await writeFile(file, String(pid));
    }
  }

  /** Creates the environment's groups under the server's group and applies its limits. */
  static async create(
    version: 'v1' | 'v2',
    groupDirs: ReadonlyMap<CgroupController, string>,
    environmentId: string,
    limits: CgroupLimits,
  ): Promise<EnvironmentCgroup> {
    const dirOf = (c: CgroupController): string | undefined => {
      const group = groupDirs.get(c);
      return group === undefined ? undefined : join(group, environmentId);
    };
    const dirs = [...new Set([...groupDirs.keys()].map((c) => dirOf(c) ?? ''))];
    // Recursive: another server's cleanupStale may have removed this server's group while
    // it had no environments (see cleanup.ts); under v2 it then needs its controllers again.
    await Promise.all(
      dirs.map(async (d) => {
        const created = await mkdir(d, { recursive: true });
        if (version === 'v2' && created !== undefined && created !== d) {
          await enableV2Controllers(dirname(d));
        }
      }),
    );
    const memoryDir = dirOf('memory');
    const freezerDir = dirOf('freezer');
    const bytes = String(limits.memoryMb * 1024 * 1024);
    const writes: Promise<void>[] = [];
    const set = (dir: string | undefined, file: string, value: string): void => {
      if (dir !== undefined) {
        writes.push(writeFile(join(dir, file), value));
      }
    };
    let freeze: Promise<FileHandle> | undefined;
    let peak: Promise<FileHandle> | undefined;
    if (version === 'v1') {
      if (memoryDir !== undefined) {
        // memsw (memory+swap) must be set after the memory limit and may not exist.
        writes.push(
          writeFile(join(memoryDir, 'memory.limit_in_bytes'), bytes).then(() =>
            writeFile(join(memoryDir, 'memory.memsw.limit_in_bytes'), bytes).catch(() => undefined),
          ),
        );
        peak = open(join(memoryDir, 'memory.max_usage_in_bytes'), 'r');
      }
      set(dirOf('pids'), 'pids.max', String(limits.pidsMax));
      set(
        dirOf('cpu'),
        'cpu.shares',
        String(Math.max(2, Math.round((1024 * limits.memoryMb) / MB_PER_VCPU))),
      );
      if (freezerDir !== undefined) {
        freeze = open(join(freezerDir, 'freezer.state'), 'r+');
      }
    } else {
      set(memoryDir, 'memory.max', bytes);
      set(memoryDir, 'memory.swap.max', '0');
      // Kill the whole environment on OOM, as Lambda resets the whole sandbox.
      set(memoryDir, 'memory.oom.group', '1');
      set(dirOf('pids'), 'pids.max', String(limits.pidsMax));
      const weight = Math.min(
        10000,
        Math.max(1, Math.round((100 * limits.memoryMb) / MB_PER_VCPU)),
      );
      set(dirOf('cpu'), 'cpu.weight', String(weight));
      if (memoryDir !== undefined) {
        peak = open(join(memoryDir, 'memory.peak'), 'r').catch(() =>
          open(join(memoryDir, 'memory.current'), 'r'),
        );
      }
      if (freezerDir !== undefined) {
        freeze = open(join(freezerDir, 'cgroup.freeze'), 'r+');
      }
    }
    const settled = await Promise.allSettled([Promise.all(writes), freeze, peak]);
    const [limitsSet, freezeFile, peakFile] = settled;
    const group = new EnvironmentCgroup(
      version,
      dirs,
      memoryDir,
      freezeFile.status === 'fulfilled' ? freezeFile.value : undefined,
      peakFile.status === 'fulfilled' ? peakFile.value : undefined,
    );
    if (limitsSet.status === 'rejected') {
      await group.remove();
      throw limitsSet.reason;
    }
    return group;
  }

  get canFreeze(): boolean {
    return this.#freezeFile !== undefined;
  }

  get measuresMemory(): boolean {
    return this.#peakFile !== undefined;
  }

  /**
   * Stops every process of the environment. Returns at once: writes are queued in order,
   * so a thaw issued right after always lands after this freeze.
   */
  freeze(): void {
    this.#writeFreezer(this.version === 'v1' ? 'FROZEN' : '1');
  }

  /** Lets the environment's processes run again. */
  thaw(): void {
    this.#writeFreezer(this.version === 'v1' ? 'THAWED' : '0');
  }

  /** Resolves once every queued freeze/thaw has been written. */
  settled(): Promise<unknown> {
    return this.#freezerOps;
  }

  #writeFreezer(value: string): void {
    const file = this.#freezeFile;
    if (file !== undefined) {
      this.#freezerOps = this.#freezerOps.then(() => file.write(value, 0)).catch(() => undefined);
    }
  }

  /**
   * Peak memory use of the environment so far (v1 max usage, v2 memory.peak). Read at the
   * end of every invocation: a kernel counter, read synchronously rather than through the
   * thread pool, which would delay the response by a round trip.
   */
  peakMemoryBytes(): Promise<number | undefined> {
    const file = this.#peakFile;
    if (file === undefined) {
      return Promise.resolve(undefined);
    }
    try {
      const bytesRead = readSync(file.fd, this.#peakBuffer, 0, this.#peakBuffer.length, 0);
      const value = Number.parseInt(this.#peakBuffer.toString('latin1', 0, bytesRead), 10);
      return Promise.resolve(Number.isFinite(value) ? value : undefined);
    } catch {
      return Promise.resolve(undefined);
    }
  }

  /** How many processes the kernel's OOM killer has killed in this environment. */
  async oomKills(): Promise<number> {
    if (this.#memoryDir === undefined) {
      return 0;
    }
    const file = this.version === 'v1' ? 'memory.oom_control' : 'memory.events';
    try {
      const text = await readFile(join(this.#memoryDir, file), 'utf8');
      return Number(/^oom_kill (\d+)$/m.exec(text)?.[1] ?? 0);
    } catch {
      return 0;
    }
  }

  /** SIGKILLs every process in the environment's groups (frozen ones die once thawed). */
  async killAll(): Promise<void> {
    await killCgroupProcesses(this.dirs);
  }

  /** Closes the open files and removes the groups, killing stragglers until they are empty. */
  async remove(): Promise<void> {
    await this.#freezerOps;
    await Promise.all([this.#freezeFile?.close(), this.#peakFile?.close()]);
    await removeCgroupDirs(this.dirs);
  }
}

/** SIGKILLs every process listed in the groups' cgroup.procs (v2: via cgroup.kill when present). */
export async function killCgroupProcesses(dirs: readonly string[]): Promise<number> {
  let killed = 0;
  for (const dir of dirs) {
    try {
      await writeFile(join(dir, 'cgroup.kill'), '1');
      continue;
    } catch {
      // cgroup v1, or a kernel before 5.14: signal each process.
    }
    let procs: string;
    try {
      procs = await readFile(join(dir, 'cgroup.procs'), 'utf8');
    } catch {
      continue;
    }
    for (const pid of procs.split('\n')) {
      if (pid !== '') {
        try {
          process.kill(Number(pid), 'SIGKILL');
          killed++;
        } catch {
          // Already gone.
        }
      }
    }
  }
  return killed;
}

/**
 * Removes cgroup directories (children before parents). A group with processes cannot be
 * removed; a frozen group's killed processes only die once it is thawed — and its freezer is
 * another directory of the same environment under v1 — so all busy ones are retried together.
 */
export async function removeCgroupDirs(dirs: readonly string[]): Promise<void> {
  let remaining = [...dirs];
  for (let attempt = 0; remaining.length > 0; attempt++) {
    const busy: string[] = [];
    for (const dir of remaining) {
      try {
        await rmdir(dir);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'ENOENT') {
          continue;
        }
        if (code !== 'EBUSY' || attempt >= 200) {
          throw err;
        }
        busy.push(dir);
      }
    }
    if (busy.length > 0) {
      await killCgroupProcesses(busy);
      await Promise.all(busy.map(thawCgroupDir));
      await delay(5);
    }
    remaining = busy;
  }
}

async function thawCgroupDir(dir: string): Promise<void> {
  await writeFile(join(dir, 'freezer.state'), 'THAWED').catch(() => undefined);
  await writeFile(join(dir, 'cgroup.freeze'), '0').catch(() => undefined);
}

/** Lists the child groups of a directory (empty when it does not exist). */
export async function childGroups(dir: string): Promise<string[]> {
  try {
    const entries = await readdir(dir, { withFileTypes: true });
    return entries.filter((e) => e.isDirectory()).map((e) => join(dir, e.name));
  } catch {
    return [];
  }
}
