import { readFile, readdir } from 'node:fs/promises';

/**
 * Helpers for machines without cgroups, where an environment's processes are found through
 * /proc instead of a group.
 */

/** The pids of every live descendant of `rootPid` (not including it). */
export async function descendantPids(rootPid: number): Promise<number[]> {
  const parents = new Map<number, number[]>();
  let entries: string[];
  try {
    entries = await readdir('/proc');
  } catch {
    return [];
  }
  await Promise.all(
    entries.map(async (name) => {
      const pid = Number(name);
      if (!Number.isInteger(pid)) {
        return;
      }
      const ppid = parentOf(await readStat(pid));
      if (ppid !== undefined) {
        const siblings = parents.get(ppid) ?? [];
        siblings.push(pid);
        parents.set(ppid, siblings);
      }
    }),
  );
  const found: number[] = [];
  const queue = [rootPid];
  for (let pid = queue.shift(); pid !== undefined; pid = queue.shift()) {
    for (const child of parents.get(pid) ?? []) {
      found.push(child);
      queue.push(child);
    }
  }
  return found;
}

/** Peak resident set size (VmHWM) of a process, in bytes. */
export async function peakResidentBytes(pid: number): Promise<number | undefined> {
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const kb = /^VmHWM:\s+(\d+) kB$/m.exec(status)?.[1];
    return kb === undefined ? undefined : Number(kb) * 1024;
  } catch {
    return undefined;
  }
}

/**
 * The start time of a process (field 22 of /proc/<pid>/stat, in clock ticks since boot):
 * with the pid it identifies a process even after the pid is reused.
 */
export async function processStartTime(pid: number): Promise<string | undefined> {
  return statField(await readStat(pid), 22);
}

/** The parent of a live process. */
export async function parentPid(pid: number): Promise<number | undefined> {
  return parentOf(await readStat(pid));
}

async function readStat(pid: number): Promise<string | undefined> {
  try {
    return await readFile(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
}

function parentOf(stat: string | undefined): number | undefined {
  const value = statField(stat, 4);
  return value === undefined ? undefined : Number(value);
}

/** Field `n` (1-based, as in proc(5)) of a stat line; the command name may contain spaces. */
function statField(stat: string | undefined, n: number): string | undefined {
  if (stat === undefined) {
    return undefined;
  }
  const afterName = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return afterName[n - 3];
}
