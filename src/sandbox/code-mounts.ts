import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Directory of the read-only views of code and layer directories, inside a run directory. */
export const CODE_MOUNTS_DIR = 'code-mounts';

/** Read-only views kept mounted while no environment uses them, for the next cold start. */
const KEEP_UNUSED = 64;

/**
 * Puts a function's code and layers into a sandbox that is already running (a pre-booted
 * blank runtime), by mount propagation, inside a mount namespace of its own:
 * - a holder process (`unshare --mount`, killed with the server by PR_SET_PDEATHSIG) owns a
 *   mount namespace in which the run directory is bind-mounted onto itself and made shared;
 * - blank sandboxes are started in that namespace (`enter`), so every sandbox's
 *   `--ro-bind <env dir>/task /var/task` is a slave of it (bubblewrap makes the sandbox's
 *   mounts slaves);
 * - a host directory gets one private read-only view under `code-mounts/` (a remount does
 *   not propagate, so the view must be read-only before it is bound anywhere);
 * - binding that view onto `<env dir>/task` then appears at /var/task in that sandbox only:
 *   no other sandbox has a mount whose root is that directory.
 * The host's own mount table never changes: when the server dies, even by SIGKILL, the
 * namespace dies with the holder and nothing stays mounted. Needs root.
 */
export class CodeMounts {
  readonly #runDir: string;
  readonly #holder: ChildProcess;
  readonly #nsenter: readonly string[];
  readonly #views = new Map<string, { path: Promise<string>; users: number }>();
  #next = 0;

  private constructor(runDir: string, holder: ChildProcess) {
    this.#runDir = runDir;
    this.#holder = holder;
    this.#nsenter = ['-t', String(holder.pid), '-m', '--'];
  }

  /** Starts the holder of the mount namespace; undo with close(). */
  static async open(runDir: string): Promise<CodeMounts> {
    await mkdir(join(runDir, CODE_MOUNTS_DIR), { recursive: true, mode: 0o700 });
    const holder = spawn(
      'unshare',
      [
        '--mount',
        '--propagation',
        'private',
        '--',
        'setpriv',
        '--pdeathsig',
        'KILL',
        '--',
        '/bin/sh',
        '-c',
        'mount --bind "$0" "$0" && mount --make-shared "$0" && echo ready && exec sleep infinity',
        runDir,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    holder.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    await new Promise<void>((resolve, reject) => {
      holder.stdout.setEncoding('utf8').once('data', () => {
        resolve();
      });
      holder.once('error', reject);
      holder.once('exit', (code) => {
        reject(new Error(`mount namespace holder exited (${String(code)}): ${output.trim()}`));
      });
    });
    holder.unref();
    holder.stdout.destroy();
    return new CodeMounts(runDir, holder);
  }

  /** The command that runs `file args` inside the mount namespace. */
  enter(file: string, args: readonly string[]): { file: string; args: string[] } {
    return { file: 'nsenter', args: [...this.#nsenter, file, ...args] };
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
      await this.#mount('umount', '-l', target).catch(() => undefined);
      await this.#trim();
    };
    try {
      await this.#mount('mount', '--bind', await used.path, target);
    } catch (err) {
      released = true;
      used.users--;
      throw err;
    }
    return release;
  }

  /** Ends the mount namespace, and every mount in it. */
  close(): Promise<void> {
    this.#views.clear();
    if (this.#holder.exitCode !== null || this.#holder.signalCode !== null) {
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      this.#holder.once('exit', () => {
        resolve();
      });
      // Unref'd while it only held the namespace; its exit is now awaited.
      this.#holder.ref();
      this.#holder.kill('SIGKILL');
    });
  }

  async #createView(hostDir: string, path: string): Promise<string> {
    await mkdir(path, { mode: 0o755 });
    await this.#mount(
      '/bin/sh',
      '-c',
      'mount --bind "$0" "$1" && mount -o remount,bind,ro "$1" && mount --make-private "$1"',
      hostDir,
      path,
    );
    return path;
  }

  async #mount(...command: string[]): Promise<void> {
    await run('nsenter', [...this.#nsenter, ...command]);
  }

  async #trim(): Promise<void> {
    const unused = [...this.#views].filter(([, v]) => v.users === 0);
    for (const [hostDir, view] of unused.slice(0, Math.max(0, unused.length - KEEP_UNUSED))) {
      this.#views.delete(hostDir);
      await this.#mount('umount', '-l', await view.path).catch(() => undefined);
    }
  }
}
