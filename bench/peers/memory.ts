/**
 * Memory of a process tree, for "how many idle environments fit": PSS (proportional set size)
 * rather than RSS, so pages shared between environments (the node binary, shared libraries) are
 * counted once across the tree instead of once per process. Linux /proc only; reading another
 * user's smaps needs root, which is how this machine runs.
 */
import { readdir, readFile } from 'node:fs/promises';

/** Every descendant of `rootPid`, and the root itself. */
async function processTree(rootPid: number): Promise<number[]> {
  const children = new Map<number, number[]>();
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) {
      continue;
    }
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
    // The command name (field 2) is in parentheses and may contain spaces: parse after it.
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    const list = children.get(ppid) ?? [];
    list.push(Number(entry));
    children.set(ppid, list);
  }
  const tree: number[] = [];
  const queue = [rootPid];
  for (let pid = queue.shift(); pid !== undefined; pid = queue.shift()) {
    tree.push(pid);
    queue.push(...(children.get(pid) ?? []));
  }
  return tree;
}

/** Summed PSS of the tree rooted at `rootPid`, in MiB. */
export async function treePssMiB(rootPid: number): Promise<{ mib: number; processes: number }> {
  const pids = await processTree(rootPid);
  let kib = 0;
  for (const pid of pids) {
    const rollup = await readFile(`/proc/${pid}/smaps_rollup`, 'utf8').catch(() => '');
    kib += Number(/^Pss:\s+(\d+) kB/m.exec(rollup)?.[1] ?? 0);
  }
  return { mib: kib / 1024, processes: pids.length };
}

/** MemTotal of this machine, in MiB. */
export async function memTotalMiB(): Promise<number> {
  const meminfo = await readFile('/proc/meminfo', 'utf8');
  return Number(/^MemTotal:\s+(\d+) kB/m.exec(meminfo)?.[1] ?? 0) / 1024;
}
