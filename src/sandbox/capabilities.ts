import { execFile } from 'node:child_process';
import { access, constants } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  CGROUP_CONTROLLERS,
  detectCgroupHierarchy,
  type CgroupController,
  type CgroupHierarchy,
  type CgroupVersion,
} from './cgroup.js';
import { INTERPRETER_DIRS } from './runtime-resolver.js';
import type { Isolation } from './types.js';

const run = promisify(execFile);

/** What this machine offers for isolating environments (`fogbank doctor`). */
export interface SandboxCapabilities {
  readonly bwrap: {
    readonly path?: string;
    readonly version?: string;
    /** A trial sandbox with every namespace Fogbank uses started and exited cleanly. */
    readonly works: boolean;
    readonly error?: string;
  };
  /** util-linux setpriv, with which a root server drops the runtime to an unprivileged uid. */
  readonly setpriv?: string;
  readonly cgroup: {
    readonly version: CgroupVersion;
    /** Controllers Fogbank can use (its parent group exists and is writable). */
    readonly controllers: Readonly<Record<CgroupController, boolean>>;
  };
  /** What `isolation: auto` picks here. */
  readonly isolation: Isolation;
}

/** The capabilities plus what the pool needs to use them. */
export interface SandboxProbe {
  readonly capabilities: SandboxCapabilities;
  readonly cgroups: CgroupHierarchy;
}

/** Reports bubblewrap, setpriv and cgroup support, for `fogbank doctor`. */
export async function probeSandbox(): Promise<SandboxCapabilities> {
  return (await probe()).capabilities;
}

export async function probe(): Promise<SandboxProbe> {
  const [bwrap, setpriv, cgroups] = await Promise.all([
    findExecutable('bwrap'),
    findExecutable('setpriv'),
    detectCgroupHierarchy(),
  ]);
  const bwrapReport =
    bwrap === undefined
      ? { works: false, error: 'bwrap not found (Debian package bubblewrap)' }
      : await tryBwrap(bwrap, setpriv);
  const controllers = Object.fromEntries(
    CGROUP_CONTROLLERS.map((c) => [c, cgroups.parents.has(c)]),
  ) as Record<CgroupController, boolean>;
  return {
    capabilities: {
      bwrap: bwrapReport,
      ...(setpriv !== undefined ? { setpriv } : {}),
      cgroup: { version: cgroups.version, controllers },
      isolation: bwrapReport.works ? 'namespace' : 'process',
    },
    cgroups,
  };
}

async function findExecutable(name: string): Promise<string | undefined> {
  for (const dir of INTERPRETER_DIRS) {
    const candidate = join(dir, name);
    try {
      await access(candidate, constants.X_OK);
      return candidate;
    } catch {
      // Try the next directory.
    }
  }
  return undefined;
}

/** Starts a trial sandbox with the same namespaces and privilege drop as a real one. */
async function tryBwrap(
  bwrap: string,
  setpriv: string | undefined,
): Promise<SandboxCapabilities['bwrap']> {
  let version: string | undefined;
  try {
    version = (await run(bwrap, ['--version'], { env: {}, timeout: 5000 })).stdout.trim();
  } catch (err) {
    return { path: bwrap, works: false, error: String(err) };
  }
  const root = process.getuid?.() === 0;
  const privileges =
    root && setpriv !== undefined
      ? [setpriv, '--reuid=993', '--regid=993', '--clear-groups', '--no-new-privs']
      : [];
  const args = [
    '--unshare-pid',
    '--unshare-ipc',
    '--unshare-uts',
    '--unshare-net',
    ...(privileges.length === 0 ? ['--unshare-user', '--uid', '993', '--gid', '993'] : []),
    '--die-with-parent',
    '--new-session',
    '--clearenv',
    '--ro-bind',
    '/',
    '/',
    '--proc',
    '/proc',
    '--dev',
    '/dev',
    '--tmpfs',
    '/tmp',
    ...privileges,
    '/bin/true',
  ];
  try {
    await run(bwrap, args, { env: {}, timeout: 5000 });
    return { path: bwrap, version, works: true };
  } catch (err) {
    const stderr = (err as { stderr?: string }).stderr?.trim();
    return {
      path: bwrap,
      version,
      works: false,
      error: stderr !== undefined && stderr !== '' ? stderr : String(err),
    };
  }
}
