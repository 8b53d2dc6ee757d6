import { readFile, readdir, rm, rmdir, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import {
  type CgroupHierarchy,
  childGroups,
  detectCgroupHierarchy,
  killCgroupProcesses,
  removeCgroupDirs,
  serverGroupDirs,
} from './cgroup.js';
import { SANDBOX_STATE_FILE, type SandboxState } from './executor.js';
import { LAYERS_DIR } from './layers.js';
import { parentPid, processStartTime } from './process-tree.js';

/** What `cleanupStale` found and removed. */
export interface StaleCleanup {
  readonly processes: number;
  readonly cgroups: number;
  readonly directories: number;
  /**
   * Groups that could not be removed: an orphan's process that never dies, e.g. a zombie whose
   * new parent (a container's pid 1) does not reap it. They cost nothing but a directory, so
   * they are reported, and the server starts anyway.
   */
  readonly leftovers: readonly string[];
}

/** An environment cgroup of another server empty for this long belongs to a dead server. */
const EMPTY_GROUP_GRACE_MS = 60_000;

/** Environment directories are named by the environment id: 32 hex characters. */
const ENVIRONMENT_DIR = /^[0-9a-f]{32}$/;

/**
 * Removes what a server killed with SIGKILL left behind in `runDir`: its environments'
 * processes (found by their recorded pid and start time, and in the server's cgroups),
 * their cgroups (thawed so that frozen processes can die), their sockets and scratch
 * directories. Environments orphaned by other dead servers on this machine go too (see
 * orphanedEnvironmentGroups). Call it before a server starts using `runDir`; a missing
 * `runDir` is fine.
 */
export async function cleanupStale(runDir: string): Promise<StaleCleanup> {
  const hierarchy = await detectCgroupHierarchy();
  const groupDirs = [...new Set(serverGroupDirs(hierarchy, runDir).values())];
  let entries: string[];
  try {
    entries = await readdir(runDir);
  } catch {
    entries = [];
  }
  const environmentDirs = entries
    .filter((name) => ENVIRONMENT_DIR.test(name))
    .map((name) => join(runDir, name));
  let processes = 0;
  const cgroupDirs = new Set<string>();
  for (const dir of environmentDirs) {
    const state = await readState(dir);
    if (state === undefined) {
      continue;
    }
    // Only groups under Fogbank's own parents, whatever the file says.
    state.cgroupDirs
      .filter((d) => [...hierarchy.parents.values()].some((parent) => d.startsWith(`${parent}/`)))
      .forEach((d) => cgroupDirs.add(d));
    // A recycled pid belongs to someone else: only the process started at that time is ours.
    if (state.startTime !== '' && (await processStartTime(state.pid)) === state.startTime) {
      signal(-state.pid);
      if (signal(state.pid)) {
        processes++;
      }
    }
  }
  for (const group of groupDirs) {
    (await childGroups(group)).forEach((d) => cgroupDirs.add(d));
  }
  (await orphanedEnvironmentGroups(hierarchy)).forEach((d) => cgroupDirs.add(d));
  const stale = [...cgroupDirs];
  processes += await killCgroupProcesses(stale);
  const leftovers: string[] = [];
  for (const dirs of [stale, groupDirs]) {
    await removeCgroupDirs(dirs).catch(() => {
      leftovers.push(...dirs);
    });
  }
  await removeAbandonedServerGroups(hierarchy);
  await Promise.all(environmentDirs.map((d) => rm(d, { recursive: true, force: true })));
  await rm(join(runDir, LAYERS_DIR), { recursive: true, force: true });
  return { processes, cgroups: stale.length, directories: environmentDirs.length, leftovers };
}

/**
 * Environments of other servers that were killed and never restarted on their run directory
 * (test servers in temporary directories, typically). A frozen environment cannot even die
 * of its parent's death, so nobody else would ever remove it. A live server is the parent of
 * each of its sandboxes; an environment is orphaned when every process of it whose parent is
 * outside it was reparented to init (pid 1), or when it has been empty since long ago.
 */
async function orphanedEnvironmentGroups(hierarchy: CgroupHierarchy): Promise<string[]> {
  const parents = [...new Set(hierarchy.parents.values())];
  const reference = parents[0];
  if (reference === undefined) {
    return [];
  }
  const orphans: string[] = [];
  for (const serverGroup of await childGroups(reference)) {
    for (const environmentGroup of await childGroups(serverGroup)) {
      const procs = await readFile(join(environmentGroup, 'cgroup.procs'), 'utf8').catch(() => '');
      const members = new Set(
        procs
          .split('\n')
          .filter((p) => p !== '')
          .map(Number),
      );
      if (members.size === 0) {
        // Empty: its processes are gone, but a live server's group is empty only for the
        // moment between its creation and the spawn. File times are wall-clock times.
        const created = await stat(environmentGroup).catch(() => undefined);
        if (created !== undefined && created.mtimeMs < Date.now() - EMPTY_GROUP_GRACE_MS) {
          orphans.push(
            ...parents.map((parent) => join(parent, relative(reference, environmentGroup))),
          );
        }
        continue;
      }
      const outsideParents: number[] = [];
      for (const pid of members) {
        const parent = await parentPid(pid);
        if (parent !== undefined && !members.has(parent)) {
          outsideParents.push(parent);
        }
      }
      if (outsideParents.length > 0 && outsideParents.every((p) => p === 1)) {
        const path = relative(reference, environmentGroup);
        orphans.push(...parents.map((parent) => join(parent, path)));
      }
    }
  }
  return orphans;
}

/**
 * Server groups without environments for a long time: a server killed with SIGKILL leaves
 * its group behind. A live but idle server's group may go too: it is recreated on demand.
 * A plain rmdir only ever removes an empty group, so nothing running is touched.
 */
async function removeAbandonedServerGroups(hierarchy: CgroupHierarchy): Promise<void> {
  for (const parent of new Set(hierarchy.parents.values())) {
    for (const group of await childGroups(parent)) {
      const changed = await stat(group).catch(() => undefined);
      if (changed !== undefined && changed.mtimeMs < Date.now() - EMPTY_GROUP_GRACE_MS) {
        await rmdir(group).catch(() => undefined);
      }
    }
  }
}

/** SIGKILLs a process (negative: a process group); false when there was none. */
function signal(pid: number): boolean {
  try {
    process.kill(pid, 'SIGKILL');
    return true;
  } catch {
    return false;
  }
}

async function readState(dir: string): Promise<SandboxState | undefined> {
  try {
    const state = JSON.parse(
      await readFile(join(dir, SANDBOX_STATE_FILE), 'utf8'),
    ) as Partial<SandboxState>;
    if (typeof state.pid !== 'number' || !Number.isInteger(state.pid) || state.pid <= 1) {
      return undefined;
    }
    return {
      pid: state.pid,
      startTime: typeof state.startTime === 'string' ? state.startTime : '',
      cgroupDirs: Array.isArray(state.cgroupDirs)
        ? state.cgroupDirs.filter((d) => typeof d === 'string')
        : [],
    };
  } catch {
    return undefined;
  }
}
