import { execFileSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { join } from 'node:path';

/** The three families of Lambda runtimes Fogbank runs. */
export type RuntimeFamily = 'nodejs' | 'python' | 'provided';

/** What runs a Lambda runtime id on this machine. */
export interface RuntimeInfo {
  /** The Lambda runtime id, e.g. `nodejs22.x`. */
  readonly runtime: string;
  readonly family: RuntimeFamily;
  /** Absolute path of the interpreter; absent for `provided*`, whose own `bootstrap` runs. */
  readonly interpreter?: string;
  /** The interpreter's version as it reports it (`v20.20.2`, `3.11.2`). */
  readonly version?: string;
  /** Set when the interpreter is not the one the runtime id names. */
  readonly note?: string;
}

/**
 * Where interpreters are looked for, in order. System directories come first because a
 * sandbox only sees /usr and /bin (an interpreter under /root, e.g. a pyenv shim, is
 * invisible there); PATH is not consulted because it is the server's, not the function's.
 */
export const INTERPRETER_DIRS: readonly string[] = [
  '/usr/bin',
  '/usr/local/bin',
  '/bin',
  '/usr/local/sbin',
  '/usr/sbin',
];

const NODEJS = /^nodejs(\d+)\.x$/;
const PYTHON = /^python(3\.\d+)$/;
const PROVIDED = /^provided(\.al2|\.al2023)?$/;

const cache = new Map<string, RuntimeInfo | undefined>();

/**
 * Maps a Lambda runtime id to the interpreter that runs it here: `nodejs*` → this Node.js,
 * `python3.X` → python3.X (else python3), `provided*` → the function's `bootstrap`.
 * Unknown ids → undefined. Results are cached: the first call per id may run the
 * interpreter once to learn its version.
 */
export function resolveRuntime(
  runtime: string,
  searchDirs: readonly string[] = INTERPRETER_DIRS,
): RuntimeInfo | undefined {
  const cacheKey = `${runtime}\0${searchDirs.join(':')}`;
  if (cache.has(cacheKey)) {
    return cache.get(cacheKey);
  }
  const info = resolveUncached(runtime, searchDirs);
  cache.set(cacheKey, info);
  return info;
}

function resolveUncached(runtime: string, searchDirs: readonly string[]): RuntimeInfo | undefined {
  const node = NODEJS.exec(runtime);
  if (node) {
    const wanted = Number(node[1]);
    const actual = Number(/^v(\d+)/.exec(process.version)?.[1]);
    return {
      runtime,
      family: 'nodejs',
      interpreter: process.execPath,
      version: process.version,
      ...(wanted !== actual ? { note: `${runtime} runs on Node.js ${process.version}` } : {}),
    };
  }
  const python = PYTHON.exec(runtime);
  if (python?.[1] !== undefined) {
    const wanted = python[1];
    const interpreter =
      findExecutable(`python${wanted}`, searchDirs) ?? findExecutable('python3', searchDirs);
    if (interpreter === undefined) {
      return undefined;
    }
    const version = pythonVersion(interpreter);
    if (version === undefined) {
      return undefined;
    }
    const sameMinor = version === wanted || version.startsWith(`${wanted}.`);
    return {
      runtime,
      family: 'python',
      interpreter,
      version,
      ...(sameMinor ? {} : { note: `${runtime} runs on Python ${version}` }),
    };
  }
  if (PROVIDED.test(runtime)) {
    return { runtime, family: 'provided' };
  }
  return undefined;
}

function findExecutable(name: string, dirs: readonly string[]): string | undefined {
  for (const dir of dirs) {
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // Not in this directory; try the next one.
    }
  }
  return undefined;
}

function pythonVersion(interpreter: string): string | undefined {
  try {
    const out = execFileSync(interpreter, ['--version'], {
      encoding: 'utf8',
      env: {},
      timeout: 5000,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return /Python (\S+)/.exec(out)?.[1];
  } catch {
    return undefined;
  }
}
