import { execFile } from 'node:child_process';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Directory of the read-only views of code and layer directories, inside a run directory. */
export const CODE_MOUNTS_DIR = 'code-mounts';

/** Read-only views kept mounted while no environment uses them, for the next cold start. */
const KEEP_UNUSED = 64;

/**
 * Puts a function's code and layers into a sandbox that is already running (a pre-booted
 * blank runtime), by mount propagation:
 * - the run directory is bind-mounted onto itself and made shared, so every sandbox's
 *   `--ro-bind <env dir>/task /var/task` is a slave of it (bubblewrap makes the sandbox's
 *   mounts slaves);
 * - a host directory gets one private read-only view under `code-mounts/` (a remount does
 *   not propagate, so the view must be read-only before it is bound anywhere);
 * - binding that view onto `<env dir>/task` on the host then appears at /var/task in that
 *   sandbox only: no other sandbox has a mount whose root is that directory.
 * Needs root (the server runs bubblewrap privileged then).
 */
export class CodeMounts {
  readonly #runDir: string;
  readonly #views = new Map<string, { path: Promise<string>; users: number }>();
  #next = 0;

  private constructor(runDir: string) {
    this.#runDir = runDir;
  }

  /** Makes `runDir` a shared mount; undo with close(). */
  static async open(runDir: string): Promise<CodeMounts> {
    await unmountUnder(runDir);
    await run('mount', ['--bind', runDir, runDir]);
    await run('mount', ['--make-shared', runDir]);
    await mkdir(join(runDir, CODE_MOUNTS_DIR), { recursive: true, mode: 0o700 });
    return new CodeMounts(runDir);
  }

  /**
   * Shows `hostDir` read-only at `target` (an empty directory bound into a running sandbox).
   * Returns the release to call before the target's directory is removed.
   */
  async attach(hostDir: string, target: string): Promise<() => Promise<void>> {
    let view = this.#views.get(hostDir);
    if (view === undefined) {
      const path = join(this.#runDir, CODE_MOUNTS_DIR, String(this.#next++));
      const created = { path: this.#createView(hostDir, path), users: 0 };
      view = created;
      this.#views.set(hostDir, created);
      created.path.catch(() => {
        if (this.#views.get(hostDir) === created) {
          this.#views.delete(hostDir);
        }
      });
    }
    view.users++;
    const used = view;
    let released = false;
    const release = async (): Promise<void> => {
      if (released) {
        return;
      }
      released = true;
      used.users--;
      await run('umount', ['-l', target]).catch(() => undefined);
      await this.#trim();
    };
    try {
      await run('mount', ['--bind', await used.path, target]);
    } catch (err) {
      released = true;
      used.users--;
      throw err;
    }
    return release;
  }

  /** Unmounts every view and the run directory's own mount. */
  async close(): Promise<void> {
    await Promise.allSettled([...this.#views.values()].map((v) => v.path));
    this.#views.clear();
    await unmountUnder(this.#runDir);
  }

  async #createView(hostDir: string, path: string): Promise<string> {
    await mkdir(path, { mode: 0o755 });
    await run('mount', ['--bind', hostDir, path]);
    await run('mount', ['-o', 'remount,bind,ro', path]);
    await run('mount', ['--make-private', path]);
    return path;
  }

  async #trim(): Promise<void> {
    const unused = [...this.#views].filter(([, v]) => v.users === 0);
    for (const [hostDir, view] of unused.slice(0, Math.max(0, unused.length - KEEP_UNUSED))) {
      this.#views.delete(hostDir);
      await run('umount', ['-l', await view.path]).catch(() => undefined);
    }
  }
}

/**
 * Detaches every mount at or below `dir`, deepest first: what a server killed with SIGKILL
 * left mounted must go before its run directory is removed (a read-only view of code would
 * stop the removal; nothing below it is ever deleted through it).
 */
export async function unmountUnder(dir: string): Promise<number> {
  if (!dir.startsWith('/') || dir.split('/').filter(Boolean).length < 2) {
    // Never a top-level directory: only a run directory of Fogbank's own.
    return 0;
  }
  let table: string;
  try {
    table = await readFile('/proc/self/mountinfo', 'utf8');
  } catch {
    return 0;
  }
  const targets = table
    .split('\n')
    .map((line) => unescapeMountPath(line.split(' ')[4] ?? ''))
    .filter((target) => target === dir || target.startsWith(`${dir}/`))
    .reverse();
  for (const target of targets) {
    await run('umount', ['-l', target]).catch(() => undefined);
  }
  return targets.length;
}

/** mountinfo escapes space, tab, newline and backslash as octal. */
function unescapeMountPath(path: string): string {
  return path.replace(/\\([0-7]{3})/g, (_, octal: string) =>
    String.fromCharCode(Number.parseInt(octal, 8)),
  );
}
