/**
 * Deployment packages, content-addressed by SHA-256 (the digest Lambda reports, base64, as
 * CodeSha256): `<root>/<hex>.zip` is the package as uploaded, `<root>/<hex>/` its unpacked,
 * read-only tree. A package is validated and unpacked once, however many functions use it.
 */
import { createHash, randomUUID } from 'node:crypto';
import { chmod, lstat, mkdir, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { requestTooLarge } from '../core/errors.js';
import { MAX_UNZIPPED_BYTES, MAX_ZIPPED_BYTES, MAX_ZIP_ENTRIES } from './limits.js';
import { extractZip, unzippedSizeOf } from './zip-extract.js';

const TEMP_PREFIX = '.tmp-';
const HEX_SHA256 = /^[0-9a-f]{64}$/;

export interface CodePackage {
  /** Hex SHA-256: the package's name in the store. */
  readonly sha256Hex: string;
  /** Base64 SHA-256: FunctionConfiguration.CodeSha256. */
  readonly codeSha256: string;
  /** Zip length in bytes: FunctionConfiguration.CodeSize. */
  readonly codeSize: number;
  /** Sum of the entries' uncompressed sizes. */
  readonly unzippedSize: number;
}

export function digestOf(data: Buffer | string): { hex: string; base64: string } {
  const digest = createHash('sha256').update(data).digest();
  return { hex: digest.toString('hex'), base64: digest.toString('base64') };
}

export class CodeStore {
  readonly #root: string;
  /** Unpacks in progress in this process, so concurrent uploads of one package share the work. */
  readonly #unpacking = new Map<string, Promise<void>>();

  private constructor(root: string) {
    this.#root = root;
  }

  /**
   * Opens `root`, creating it world-traversable (sandboxes run as another uid and must reach
   * their code), and clears temporary directories a crashed unpack left behind.
   */
  static async open(root: string): Promise<CodeStore> {
    await mkdir(root, { recursive: true });
    await chmod(root, 0o755);
    for (const name of await readdir(root)) {
      if (name.startsWith(TEMP_PREFIX)) {
        await removeTree(join(root, name));
      }
    }
    return new CodeStore(root);
  }

  /** The unpacked tree of a stored package. */
  directoryOf(sha256Hex: string): string {
    return join(this.#root, sha256Hex);
  }

  /**
   * Validates, stores and unpacks a package (once: an identical package is already there).
   * Throws RequestEntityTooLargeException or InvalidParameterValueException for a package
   * Lambda would refuse; nothing is kept then.
   */
  async add(zip: Buffer): Promise<CodePackage> {
    const pkg = describePackage(zip);
    if (!(await this.#isComplete(pkg.sha256Hex))) {
      await this.#unpackOnce(pkg.sha256Hex, () => this.#unpack(zip, pkg.sha256Hex));
    }
    return { ...pkg, unzippedSize: await unzippedSizeOf(zip) };
  }

  /** Runs add()'s checks without keeping anything (UpdateFunctionCode with DryRun). */
  async check(zip: Buffer): Promise<CodePackage> {
    const pkg = describePackage(zip);
    if (!(await this.#isComplete(pkg.sha256Hex))) {
      const temp = await this.#tempDir();
      try {
        await extractZip(zip, temp, limits());
      } finally {
        await removeTree(temp);
      }
    }
    return { ...pkg, unzippedSize: await unzippedSizeOf(zip) };
  }

  /**
   * The unpacked directory of a stored package, unpacking it again from its zip if the tree
   * went missing. Undefined when the package itself is not stored.
   */
  async ensureUnpacked(sha256Hex: string): Promise<string | undefined> {
    const dir = this.directoryOf(sha256Hex);
    if (await exists(dir)) {
      return dir;
    }
    const zip = await this.read(sha256Hex);
    if (zip === undefined) {
      return undefined;
    }
    await this.#unpackOnce(sha256Hex, () => this.#unpack(zip, sha256Hex));
    return dir;
  }

  /** The package as uploaded, or undefined when no such package is stored. */
  async read(sha256Hex: string): Promise<Buffer | undefined> {
    if (!HEX_SHA256.test(sha256Hex)) {
      return undefined;
    }
    try {
      return await readFile(join(this.#root, `${sha256Hex}.zip`));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        return undefined;
      }
      throw error;
    }
  }

  /** Deletes every stored package not in `keep` (run at startup, when no environment runs). */
  async prune(keep: ReadonlySet<string>): Promise<void> {
    for (const name of await readdir(this.#root)) {
      const hex = name.endsWith('.zip') ? name.slice(0, -'.zip'.length) : name;
      if (HEX_SHA256.test(hex) && !keep.has(hex)) {
        await removeTree(join(this.#root, name));
      }
    }
  }

  async #isComplete(sha256Hex: string): Promise<boolean> {
    return (
      (await exists(join(this.#root, `${sha256Hex}.zip`))) &&
      (await exists(this.directoryOf(sha256Hex)))
    );
  }

  async #unpackOnce(sha256Hex: string, work: () => Promise<void>): Promise<void> {
    let running = this.#unpacking.get(sha256Hex);
    if (!running) {
      running = work().finally(() => this.#unpacking.delete(sha256Hex));
      this.#unpacking.set(sha256Hex, running);
    }
    await running;
  }

  /**
   * Unpacks into a private temporary directory and renames it into place, so a reader never
   * sees half a tree and two writers (even two processes) never collide: the loser of the
   * rename finds the winner's identical tree and drops its own.
   */
  async #unpack(zip: Buffer, sha256Hex: string): Promise<void> {
    const temp = await this.#tempDir();
    try {
      await extractZip(zip, temp, limits());
      const zipTemp = `${temp}.zip`;
      await writeFile(zipTemp, zip, { mode: 0o444 });
      await rename(zipTemp, join(this.#root, `${sha256Hex}.zip`));
      try {
        await rename(temp, this.directoryOf(sha256Hex));
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code !== 'EEXIST' && code !== 'ENOTEMPTY') {
          throw error;
        }
      }
    } finally {
      await removeTree(temp);
      await rm(`${temp}.zip`, { force: true });
    }
  }

  async #tempDir(): Promise<string> {
    const dir = join(this.#root, `${TEMP_PREFIX}${randomUUID()}`);
    await mkdir(dir, { mode: 0o700 });
    return dir;
  }
}

function describePackage(zip: Buffer): Omit<CodePackage, 'unzippedSize'> {
  if (zip.length > MAX_ZIPPED_BYTES) {
    throw requestTooLarge(`Zipped size must be smaller than ${String(MAX_ZIPPED_BYTES)} bytes`);
  }
  const digest = digestOf(zip);
  return { sha256Hex: digest.hex, codeSha256: digest.base64, codeSize: zip.length };
}

function limits(): { maxUnzippedBytes: number; maxEntries: number } {
  return { maxUnzippedBytes: MAX_UNZIPPED_BYTES, maxEntries: MAX_ZIP_ENTRIES };
}

async function exists(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return true;
  } catch {
    return false;
  }
}

/** Removes a tree whose directories were made read-only (0555) on purpose. */
async function removeTree(path: string): Promise<void> {
  await makeWritable(path);
  await rm(path, { recursive: true, force: true });
}

async function makeWritable(path: string): Promise<void> {
  let stats;
  try {
    stats = await lstat(path);
  } catch {
    return;
  }
  if (!stats.isDirectory()) {
    return;
  }
  await chmod(path, 0o755);
  for (const name of await readdir(path)) {
    await makeWritable(join(path, name));
  }
}
