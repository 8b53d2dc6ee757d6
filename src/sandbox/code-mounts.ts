import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';

/** Directory of the read-only views of code and layer directories, inside a run directory. */
export const CODE_MOUNTS_DIR = 'code-mounts';

/** Read-only views kept mounted while no environment uses them, for the next cold start. */
const KEEP_UNUSED = 64;

/**
 * The holder of the mount namespace: makes the run directory a shared mount, then performs
 * the mounts it is asked for on stdin (`op\0path…` lines; answers `ok` or `error …`). Mounting
 * with a system call here, rather than executing `mount` per request, takes ~10 ms off a cold
 * start from a blank runtime; `show` (a new view and its bind in one request) takes one more
 * round trip to this process off a function's first cold start.
 */
const HOLDER = `
import ctypes, os, sys
libc = ctypes.CDLL(None, use_errno=True)
RDONLY, REMOUNT, BIND, PRIVATE, SHARED, DETACH = 1, 32, 4096, 1 << 18, 1 << 20, 2
def check(result, path):
    if result != 0:
        errno = ctypes.get_errno()
        raise OSError(errno, os.strerror(errno), path)
def mount(source, target, flags):
    check(libc.mount(source and source.encode(), target.encode(), None, flags, None), target)
def view(source, target):
    mount(source, target, BIND)
    mount(None, target, REMOUNT | BIND | RDONLY)
    mount(None, target, PRIVATE)
run = sys.argv[1]
mount(run, run, BIND)
mount(None, run, SHARED)
print("ready", flush=True)
for line in sys.stdin:
    op, *paths = line.rstrip("\\n").split("\\0")
    try:
        if op == "bind":
            mount(paths[0], paths[1], BIND)
        elif op == "show":
            os.mkdir(paths[1], 0o755)
            try:
                view(paths[0], paths[1])
                mount(paths[1], paths[2], BIND)
            except OSError:
                libc.umount2(paths[1].encode(), DETACH)
                os.rmdir(paths[1])
                raise
        elif op == "unmount":
            check(libc.umount2(paths[0].encode(), DETACH), paths[0])
        print("ok", flush=True)
    except OSError as error:
        print("error", error, flush=True)
`;

/**
 * Puts a function's code and layers into a sandbox that is already running (a pre-booted
 * blank runtime), by mount propagation, inside a mount namespace of its own:
 * - a holder process (`unshare --mount`, killed with the server by PR_SET_PDEATHSIG; a small
 *   Python program, see HOLDER) owns a mount namespace in which the run directory is
 *   bind-mounted onto itself and made shared, and performs every later mount in it;
 * - blank sandboxes are started in that namespace (`enter`), so every sandbox's
 *   `--ro-bind <env dir>/task /var/task` is a slave of it (bubblewrap makes the sandbox's
 *   mounts slaves);
 * - a host directory gets one private read-only view under `code-mounts/` (a remount does
 *   not propagate, so the view must be read-only before it is bound anywhere);
 * - binding that view onto `<env dir>/task` then appears at /var/task in that sandbox only:
 *   no other sandbox has a mount whose root is that directory.
 * The host's own mount table never changes: when the server dies, even by SIGKILL, the
 * namespace dies with the holder and nothing stays mounted. Needs root and python3.
 */
export class CodeMounts {
  readonly #runDir: string;
  readonly #holder: ChildProcessByStdio<Writable, Readable, Readable>;
  readonly #views = new Map<string, { path: Promise<string>; users: number }>();
  /** Requests sent to the holder, answered in order. */
  readonly #waiting: ((answer: string) => void)[] = [];
  #next = 0;

  private constructor(runDir: string, holder: ChildProcessByStdio<Writable, Readable, Readable>) {
    this.#runDir = runDir;
    this.#holder = holder;
    createInterface({ input: holder.stdout }).on('line', (answer) => {
      this.#waiting.shift()?.(answer);
      if (this.#waiting.length === 0) {
        holdLoop(holder.stdout, false);
      }
    });
    holder.once('exit', () => {
      for (const answer of this.#waiting.splice(0)) {
        answer('error the mount namespace holder exited');
      }
    });
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
        'python3',
        '-c',
        HOLDER,
        runDir,
      ],
      { stdio: ['pipe', 'pipe', 'pipe'] },
    );
    let output = '';
    holder.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    holder.stdin.on('error', () => undefined);
    const ready = new Promise<void>((resolve, reject) => {
      holder.stdout.setEncoding('utf8').once('data', () => {
        resolve();
      });
      holder.once('error', reject);
      holder.once('exit', (code) => {
        reject(new Error(`mount namespace holder exited (${String(code)}): ${output.trim()}`));
      });
    });
    await ready;
    // It only holds the namespace: it never keeps the server alive (an answer it owes does).
    holder.unref();
    holdLoop(holder.stdout, false);
    holdLoop(holder.stderr, false);
    return new CodeMounts(runDir, holder);
  }

  /** The command that runs `file args` inside the mount namespace. */
  enter(file: string, args: readonly string[]): { file: string; args: string[] } {
    return { file: 'nsenter', args: ['-t', String(this.#holder.pid), '-m', '--', file, ...args] };
  }

  /**
   * Shows `hostDir` read-only at `target` (an empty directory bound into a running sandbox).
   * Returns the release to call before the target's directory is removed.
   */
  async attach(hostDir: string, target: string): Promise<() => Promise<void>> {
    let view = this.#views.get(hostDir);
    // A new view is bound to `target` by the request that creates it.
    const shown = view === undefined;
    if (view === undefined) {
      const path = join(this.#runDir, CODE_MOUNTS_DIR, String(this.#next++));
      const created = { path: this.#ask('show', hostDir, path, target).then(() => path), users: 0 };
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
      await this.#ask('unmount', target).catch(() => undefined);
      await this.#trim();
    };
    try {
      const path = await used.path;
      if (!shown) {
        await this.#ask('bind', path, target);
      }
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

  /** One request to the holder; rejects with its error. */
  #ask(op: string, ...paths: string[]): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#waiting.push((answer) => {
        if (answer === 'ok') {
          resolve();
        } else {
          reject(new Error(`${op} ${paths.join(' ')}: ${answer}`));
        }
      });
      holdLoop(this.#holder.stdout, true);
      this.#holder.stdin.write(`${[op, ...paths].join('\0')}\n`);
    });
  }

  async #trim(): Promise<void> {
    const unused = [...this.#views].filter(([, v]) => v.users === 0);
    for (const [hostDir, view] of unused.slice(0, Math.max(0, unused.length - KEEP_UNUSED))) {
      this.#views.delete(hostDir);
      await this.#ask('unmount', await view.path).catch(() => undefined);
    }
  }
}

/** Whether a child's pipe (a socket) keeps the event loop alive. */
function holdLoop(stream: Readable, hold: boolean): void {
  const pipe = stream as Readable & { ref?: () => void; unref?: () => void };
  if (hold) {
    pipe.ref?.();
  } else {
    pipe.unref?.();
  }
}
