import { createHash } from 'node:crypto';
import {
  copyFile,
  link,
  mkdir,
  readdir,
  readlink,
  rename,
  rm,
  symlink,
  unlink,
} from 'node:fs/promises';
import { join } from 'node:path';

/** Name of the directory of merged layers inside a pool's run directory. */
export const LAYERS_DIR = 'layers';

/**
 * Lambda extracts a function's layers into /opt in order, a later layer's files replacing an
 * earlier one's (https://docs.aws.amazon.com/lambda/latest/dg/chapter-layers.html). A sandbox
 * can bind only one directory at /opt, so several layers are merged once into a directory of
 * hard links (copies across file systems) and reused by every environment that has them.
 */
export class LayerCache {
  readonly #dir: string;
  readonly #merged = new Map<string, Promise<string>>();

  constructor(dir: string) {
    this.#dir = dir;
  }

  /** The directory to show as /opt, or undefined when the function has no layers. */
  opt(layerDirs: readonly string[]): Promise<string | undefined> {
    if (layerDirs.length === 0) {
      return Promise.resolve(undefined);
    }
    if (layerDirs.length === 1) {
      return Promise.resolve(layerDirs[0]);
    }
    const key = createHash('sha256').update(layerDirs.join('\0')).digest('hex').slice(0, 32);
    let merged = this.#merged.get(key);
    if (merged === undefined) {
      merged = this.#merge(key, layerDirs);
      this.#merged.set(key, merged);
      merged.catch(() => this.#merged.delete(key));
    }
    return merged;
  }

  /** Removes every merged directory. */
  async clear(): Promise<void> {
    await Promise.allSettled(this.#merged.values());
    this.#merged.clear();
    await rm(this.#dir, { recursive: true, force: true });
  }

  async #merge(key: string, layerDirs: readonly string[]): Promise<string> {
    const target = join(this.#dir, key);
    const building = `${target}.${process.pid}.tmp`;
    await rm(building, { recursive: true, force: true });
    await mkdir(building, { recursive: true, mode: 0o755 });
    for (const layer of layerDirs) {
      await overlay(layer, building);
    }
    await rm(target, { recursive: true, force: true });
    await rename(building, target);
    return target;
  }
}

/** Places every file of `from` at the same relative path in `to`, replacing what is there. */
async function overlay(from: string, to: string): Promise<void> {
  for (const entry of await readdir(from, { withFileTypes: true })) {
    const source = join(from, entry.name);
    const destination = join(to, entry.name);
    if (entry.isDirectory()) {
      await mkdir(destination, { recursive: true, mode: 0o755 }).catch(async () => {
        // An earlier layer has a file where this one has a directory: the later layer wins.
        await unlink(destination);
        await mkdir(destination, { mode: 0o755 });
      });
      await overlay(source, destination);
      continue;
    }
    await rm(destination, { recursive: true, force: true });
    if (entry.isSymbolicLink()) {
      await symlink(await readlink(source), destination);
    } else if (entry.isFile()) {
      await link(source, destination).catch(() => copyFile(source, destination));
    }
  }
}
